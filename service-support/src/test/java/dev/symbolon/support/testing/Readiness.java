package dev.symbolon.support.testing;

import java.time.Duration;

/** Waits for a service's readiness group (its views caught up: tenant config, revoked admin keys…). */
public final class Readiness {

    /** Returns once {@code GET /actuator/health/readiness} on the port answers 200; fails after 30 s. */
    public static void await(int port) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> RawHttp.get(port, "/actuator/health/readiness").status() == 200);
    }

    private Readiness() {}
}
