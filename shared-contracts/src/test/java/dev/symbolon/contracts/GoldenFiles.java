package dev.symbolon.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The golden JSON of each topic, one file per event type. Producers' and consumers' tests read the
 * same files (this class ships in the shared-contracts test-jar), so a change to the wire shape
 * breaks every side that has not caught up.
 */
public final class GoldenFiles {

    /** Topic name to the record type its golden file holds. */
    public static final Map<String, Class<? extends Event>> TYPES = Map.ofEntries(
            Map.entry(Topics.PRICES, PriceList.class),
            Map.entry(Topics.TENANT_CONFIG, TenantConfigSnapshot.class),
            Map.entry(Topics.KEY_LIFECYCLE, KeyLifecycleEvent.class),
            Map.entry(Topics.USAGE_RECORDED, UsageRecorded.class),
            Map.entry(Topics.QUOTA_STATE, QuotaState.class),
            Map.entry(Topics.NOTIFICATION, Notification.class),
            Map.entry(Topics.AUDIT, AuditEvent.class),
            Map.entry(Topics.ADMIN_KEY_REVOCATIONS, AdminKeyRevoked.class),
            Map.entry(Topics.ALLOWANCE_REQUEST, AllowanceRequest.class),
            Map.entry(Topics.ALLOWANCE, Allowance.class));

    /** The golden JSON of a topic, e.g. {@code read(Topics.USAGE_RECORDED)}. */
    public static String read(String topic) {
        String path = "/golden/" + topic + ".json";
        try (InputStream in = GoldenFiles.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T extends Event> T decode(String topic, Class<T> type) {
        return EventJson.decode(read(topic), type);
    }

    private GoldenFiles() {}
}
