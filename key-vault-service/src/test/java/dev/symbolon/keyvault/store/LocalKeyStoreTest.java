package dev.symbolon.keyvault.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.contracts.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyStoreTest {

    static final String CANARY = "sk-canary-local-store-8c1f27";

    @TempDir
    Path dir;

    @Test
    void a_written_value_reads_back_and_survives_a_restart() {
        new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key")).write("keys/t1/key_a/v1", Secret.of(CANARY));

        LocalKeyStore reopened = new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key"));

        assertThat(reopened.read("keys/t1/key_a/v1")).map(Secret::reveal).contains(CANARY);
        assertThat(reopened.read("keys/t1/key_b/v1")).isEmpty();
    }

    @Test
    void nothing_on_disk_shows_the_value_or_the_path() throws IOException {
        LocalKeyStore store = new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key"));
        store.write("keys/t1/key_a/v1", Secret.of(CANARY));

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
    void another_master_key_does_not_open_the_store() {
        new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key")).write("p", Secret.of(CANARY));

        LocalKeyStore wrongKey = new LocalKeyStore(dir.resolve("store"), dir.resolve("other-master.key"));

        assertThatThrownBy(() -> wrongKey.read("p"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open")
                .hasMessageNotContaining(CANARY);
    }

    @Test
    void a_sealed_entry_copied_to_another_path_does_not_open() throws IOException {
        LocalKeyStore store = new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key"));
        store.write("keys/victim/v1", Secret.of(CANARY));
        store.write("keys/attacker/v1", Secret.of("mine"));
        Path victim = onlyFileChangedBy(store, "keys/victim/v1");
        Path attacker = onlyFileChangedBy(store, "keys/attacker/v1");

        Files.copy(victim, attacker, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> store.read("keys/attacker/v1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void destroy_removes_the_value_for_good() {
        LocalKeyStore store = new LocalKeyStore(dir.resolve("store"), dir.resolve("master.key"));
        store.write("p", Secret.of(CANARY));

        store.destroy("p");
        store.destroy("p");

        assertThat(store.read("p")).isEmpty();
    }

    /** The file a path is sealed in: the one that appears when only that path is written. */
    private Path onlyFileChangedBy(LocalKeyStore store, String path) throws IOException {
        store.destroy(path);
        List<Path> before = list();
        store.write(path, Secret.of(path.equals("keys/victim/v1") ? CANARY : "mine"));
        List<Path> after = new java.util.ArrayList<>(list());
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("store"))) {
            return files.toList();
        }
    }
}
