package dev.symbolon.support.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A real PostgreSQL for a test class: embedded binaries, started in about half a second. */
public final class TestPostgres {

    private TestPostgres() {}

    /** Starts one (the caller closes it when its tests are done). */
    public static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
