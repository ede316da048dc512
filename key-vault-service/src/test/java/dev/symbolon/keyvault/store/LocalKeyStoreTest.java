package dev.symbolon.keyvault.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyStoreTest {

    static final String CANARY = "sk-canary-local-store-8c1f27";

    @TempDir
    Path dir;

    private LocalKeyStore open(String keyRing) {
        return new LocalKeyStore(dir.resolve("store"), dir.resolve(keyRing));
    }

    @Test
    void an_entry_reads_back_after_a_restart_and_writes_are_check_and_set() {
        LocalKeyStore store = open("ring.key");
        assertThat(store.write("tenants/t_1/keys/key_a", Map.of("v1", CANARY), 0))
                .isEqualTo(1);

        LocalKeyStore reopened = open("ring.key");

        assertThat(reopened.read("tenants/t_1/keys/key_a")).contains(new KeyStore.Entry(1, Map.of("v1", CANARY)));
        assertThat(reopened.read("tenants/t_1/keys/key_b")).isEmpty();
        assertThatThrownBy(() -> reopened.write("tenants/t_1/keys/key_a", Map.of("v1", "late"), 0))
                .isInstanceOf(ConcurrentChangeException.class);
        assertThat(reopened.write("tenants/t_1/keys/key_a", Map.of("v2", "next"), 1))
                .isEqualTo(2);
    }

    @Test
    void nothing_on_disk_shows_the_value_or_the_path() throws IOException {
        LocalKeyStore store = open("ring.key");
        store.write("tenants/t_1/keys/key_a", Map.of("v1", store.encrypt("t_1|key_a", CANARY.getBytes())), 0);

        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSize(2);
        for (Path file : files) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertThat(content).doesNotContain(CANARY).doesNotContain("key_a");
            assertThat(file.getFileName().toString()).doesNotContain("key_a");
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void another_key_ring_does_not_open_the_store() {
        open("ring.key").write("p", Map.of("v1", CANARY), 0);

        LocalKeyStore wrongKey = open("other-ring.key");

        assertThatThrownBy(() -> wrongKey.read("p"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open")
                .hasMessageNotContaining(CANARY);
    }

    @Test
    void a_sealed_entry_copied_to_another_path_does_not_open() throws IOException {
        LocalKeyStore store = open("ring.key");
        Path victim = onlyFileChangedBy(store, "keys/victim");
        Path attacker = onlyFileChangedBy(store, "keys/attacker");

        Files.copy(victim, attacker, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> store.read("keys/attacker")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void encryption_is_bound_to_its_context_and_survives_a_rotation_through_rewrap() {
        LocalKeyStore store = open("ring.key");
        String ciphertext = store.encrypt("t_1|key_a", CANARY.getBytes(StandardCharsets.UTF_8));

        assertThat(ciphertext).startsWith("local:v1:").doesNotContain(CANARY);
        assertThat(store.decrypt("t_1|key_a", ciphertext))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo(CANARY);
        assertThatThrownBy(() -> store.decrypt("t_2|key_a", ciphertext)).isInstanceOf(IllegalStateException.class);

        store.rotateWrappingKey();
        String rewrapped = store.rewrap("t_1|key_a", ciphertext);

        assertThat(store.currentWrappingVersion()).isEqualTo(2);
        assertThat(store.wrappingVersionOf(rewrapped)).isEqualTo(2);
        LocalKeyStore reopened = open("ring.key");
        assertThat(reopened.decrypt("t_1|key_a", rewrapped))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo(CANARY);
        assertThat(reopened.decrypt("t_1|key_a", ciphertext))
                .as("older versions still open until re-wrapped")
                .asString(StandardCharsets.UTF_8)
                .isEqualTo(CANARY);
        assertThat(reopened.read("p"))
                .as("entries stay readable after a rotation")
                .isEmpty();
    }

    @Test
    void destroy_removes_the_entry_for_good() {
        LocalKeyStore store = open("ring.key");
        store.write("p", Map.of("v1", CANARY), 0);

        store.destroy("p");
        store.destroy("p");

        assertThat(store.read("p")).isEmpty();
        assertThat(store.write("p", Map.of("v1", "again"), 0)).isEqualTo(1);
    }

    @Test
    void wrapped_entries_keep_versions_as_ciphertext_and_forget_removed_ones() {
        LocalKeyStore store = open("ring.key");
        WrappedEntries entries = new WrappedEntries(store);

        entries.put("tenants/t_1/keys/key_a", "t_1|key_a", 1, "first".getBytes(StandardCharsets.UTF_8));
        entries.put("tenants/t_1/keys/key_a", "t_1|key_a", 2, "second".getBytes(StandardCharsets.UTF_8));

        assertThat(store.read("tenants/t_1/keys/key_a").orElseThrow().data().values())
                .allSatisfy(v -> assertThat(v).startsWith("local:v1:"));
        assertThat(entries.has("tenants/t_1/keys/key_a", 2)).isTrue();
        assertThat(entries.has("tenants/t_1/keys/key_a", 3)).isFalse();
        assertThat(entries.openAll("tenants/t_1/keys/key_a", "t_1|key_a"))
                .containsOnlyKeys(1, 2)
                .hasEntrySatisfying(2, v -> assertThat(new String(v, StandardCharsets.UTF_8))
                        .isEqualTo("second"));

        store.rotateWrappingKey();
        WrappedEntries.Location key = new WrappedEntries.Location("tenants/t_1/keys/key_a", "t_1|key_a");
        assertThat(entries.rewrap(key, store.currentWrappingVersion())).isEqualTo(2);
        assertThat(entries.rewrap(key, store.currentWrappingVersion()))
                .as("nothing left")
                .isZero();
        assertThat(store.read("tenants/t_1/keys/key_a").orElseThrow().data().values())
                .allSatisfy(v -> assertThat(v).startsWith("local:v2:"));

        entries.remove("tenants/t_1/keys/key_a", 1);
        assertThat(entries.openAll("tenants/t_1/keys/key_a", "t_1|key_a")).containsOnlyKeys(2);
        entries.remove("tenants/t_1/keys/key_a", 2);
        assertThat(store.read("tenants/t_1/keys/key_a"))
                .as("an entry without versions is gone")
                .isEmpty();
    }

    /** The file a path is sealed in: the one that appears when only that path is written. */
    private Path onlyFileChangedBy(LocalKeyStore store, String path) throws IOException {
        List<Path> before = list();
        store.write(path, Map.of("v1", path.equals("keys/victim") ? CANARY : "mine"), 0);
        List<Path> after = new java.util.ArrayList<>(list());
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> walk = Files.list(dir.resolve("store"))) {
            return walk.toList();
        }
    }
}
