package dev.symbolon.admin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An audit entry's details: only fields a change really changed, as before/after pairs. */
class ChangesTest {

    @Test
    void only_changed_fields_are_recorded_with_both_sides_and_null_as_empty() {
        assertThat(Changes.of()
                        .put("appId", "app_1")
                        .field("name", "old", "new")
                        .field("status", "ACTIVE", "ACTIVE")
                        .field("plan", null, "pro")
                        .toMap())
                .containsOnly(
                        java.util.Map.entry("appId", "app_1"),
                        java.util.Map.entry("before.name", "old"),
                        java.util.Map.entry("after.name", "new"),
                        java.util.Map.entry("before.plan", ""),
                        java.util.Map.entry("after.plan", "pro"));
        assertThat(Changes.of().field("name", null, null).toMap()).isEmpty();
    }
}
