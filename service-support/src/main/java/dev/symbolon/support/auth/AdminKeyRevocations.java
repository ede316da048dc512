package dev.symbolon.support.auth;

import dev.symbolon.contracts.AdminKeyRevoked;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.kafka.TopicFeed;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * The admin keys revoked so far, read from {@code admin-key-revocations.v1} from the beginning and
 * followed from then on. Until it has caught up it reports itself down (the readiness group includes
 * it), and {@link AdminJwtVerifier} accepts no admin JWT: a restarted service must not take a revoked
 * key's token while it is still reading.
 */
public class AdminKeyRevocations implements SmartLifecycle, HealthIndicator {

    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final TopicFeed feed;

    public AdminKeyRevocations(String owner, Map<String, Object> kafkaConsumerProperties) {
        this.feed = new TopicFeed(owner, Topics.ADMIN_KEY_REVOCATIONS, true, kafkaConsumerProperties, record -> {
            if (record.value() != null) {
                revoked.add(
                        EventJson.decode(record.value(), AdminKeyRevoked.class).adminKeyId());
            }
        });
    }

    /** Whether the admin key of this id has been revoked. */
    public boolean isRevoked(String adminKeyId) {
        return revoked.contains(adminKeyId);
    }

    /** Whether every revocation that existed at start-up has been read. */
    public boolean caughtUp() {
        return feed.caughtUp();
    }

    @Override
    public Health health() {
        return caughtUp()
                ? Health.up().build()
                : Health.down()
                        .withDetail("reason", "reading " + Topics.ADMIN_KEY_REVOCATIONS)
                        .build();
    }

    @Override
    public void start() {
        feed.start();
    }

    @Override
    public void stop() {
        feed.stop();
    }

    @Override
    public boolean isRunning() {
        return feed.running();
    }
}
