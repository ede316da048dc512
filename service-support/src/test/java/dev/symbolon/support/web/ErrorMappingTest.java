package dev.symbolon.support.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ErrorMappingTest {

    record Inner(List<Integer> weights) {}

    record Body(Boolean byokOnly, Inner inner) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void a_body_field_of_the_wrong_type_is_named_by_its_path() {
        assertThat(ErrorMapping.jsonField(
                        catchThrowable(() -> JSON.readValue("{\"byokOnly\":\"sometimes\"}", Body.class))))
                .isEqualTo("byokOnly");
        assertThat(ErrorMapping.jsonField(
                        catchThrowable(() -> JSON.readValue("{\"inner\":{\"weights\":[1,\"x\"]}}", Body.class))))
                .isEqualTo("inner.weights[1]");
    }

    @Test
    void a_name_the_client_wrote_that_is_no_plain_identifier_is_not_echoed() {
        assertThat(ErrorMapping.jsonField(catchThrowable(() -> JSON.readValue("{\"a\":1", Body.class))))
                .as("broken JSON has no field to name")
                .isNull();
        assertThat(ErrorMapping.jsonField(new IllegalStateException("no path"))).isNull();
    }
}
