package dev.symbolon.support.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A real PostgreSQL for a test class: embedded binaries, started in about half a second. */
public final class TestPostgres {

    private TestPostgres() {}

    /**
     * Starts one for every test class of a cached Spring context: it stays up until the JVM ends (a
     * class's {@code @AfterAll} would close it under the classes that share the context after it).
     */
    public static EmbeddedPostgres startForJvm() {
        EmbeddedPostgres postgres = start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                // the JVM is ending anyway
            }
        }));
        return postgres;
    }

    /** Starts one (the caller closes it when its tests are done). */
    public static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
