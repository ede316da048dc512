package dev.symbolon.support.auth;

import dev.symbolon.contracts.AdminKeyRevoked;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.kafka.FollowedTopic;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The admin keys revoked so far, read from {@code admin-key-revocations.v1} from the beginning and
 * followed from then on. Until it has caught up it reports itself down (the readiness group includes
 * it), and {@link AdminJwtVerifier} accepts no admin JWT: a restarted service must not take a revoked
 * key's token while it is still reading.
 */
public class AdminKeyRevocations extends FollowedTopic {

    private final Set<String> revoked = ConcurrentHashMap.newKeySet();

    public AdminKeyRevocations(String owner, Map<String, Object> kafkaConsumerProperties) {
        super(owner, Topics.ADMIN_KEY_REVOCATIONS, kafkaConsumerProperties);
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() != null) {
            revoked.add(EventJson.decode(record.value(), AdminKeyRevoked.class).adminKeyId());
        }
    }

    /** Whether the admin key of this id has been revoked. */
    public boolean isRevoked(String adminKeyId) {
        return revoked.contains(adminKeyId);
    }
}
