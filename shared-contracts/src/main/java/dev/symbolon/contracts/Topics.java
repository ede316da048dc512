package dev.symbolon.contracts;

import java.util.List;

/**
 * Kafka topic names. A breaking change to an event is a new topic version, never an edit of the
 * record in place.
 */
public final class Topics {

    /** Compacted, key tenantId: the tenant's whole policy snapshot. admin-api → edge, dispatcher. */
    public static final String TENANT_CONFIG = "tenant-config.v1";

    /** Key keyId: key created, rotated, revoked. key-vault-service → edge, dispatcher, admin-api. */
    public static final String KEY_LIFECYCLE = "key-lifecycle.v1";

    /** Key tenantId: one event per proxied request. edge-proxy → usage-analytics-service. */
    public static final String USAGE_RECORDED = "usage-recorded.v1";

    /** Compacted, key tenantId or tenantId/appId: usage against limits. analytics → edge. */
    public static final String QUOTA_STATE = "quota-state.v1";

    /** Key tenantId: a notification to deliver as webhooks. analytics, key-vault, admin → dispatcher. */
    public static final String NOTIFICATION = "notification.v1";

    /** Key tenantId: audit entries from every service, appended to admin-api's log. */
    public static final String AUDIT = "audit.v1";

    /**
     * Compacted, key adminKeyId: admin keys revoked. admin-api → every service that accepts admin JWTs
     * (analytics, dispatcher), which refuse the JWTs issued from a revoked key at once.
     */
    public static final String ADMIN_KEY_REVOCATIONS = "admin-key-revocations.v1";

    /**
     * Compacted, key provider/model: every price version of a model. analytics → edge, which reserves
     * a request's worst-case cost with it.
     */
    public static final String PRICES = "prices.v1";

    /**
     * Key tenantId: an edge asks for quota allowance or returns it. edge-proxy → the analytics instance
     * that counts the tenant's usage (same partition count as {@link #USAGE_RECORDED}, so the same
     * partition number).
     */
    public static final String ALLOWANCE_REQUEST = "quota-allowance-request.v1";

    /** Key edgeId: quota allowance granted to one edge. usage-analytics-service → edge-proxy. */
    public static final String ALLOWANCE = "quota-allowance.v1";

    /** Topics that hold the latest value per key and are read from the beginning at start-up. */
    public static final List<String> COMPACTED = List.of(TENANT_CONFIG, QUOTA_STATE, ADMIN_KEY_REVOCATIONS, PRICES);

    /** Every topic of the design, in a stable order. */
    public static final List<String> ALL = List.of(
            TENANT_CONFIG,
            KEY_LIFECYCLE,
            USAGE_RECORDED,
            QUOTA_STATE,
            NOTIFICATION,
            AUDIT,
            ADMIN_KEY_REVOCATIONS,
            PRICES,
            ALLOWANCE_REQUEST,
            ALLOWANCE);

    /**
     * How each topic is laid out. Services create what is missing at start-up from this one list
     * (replication comes from the broker's default), so every deployment shape gets the same topics.
     *
     * @param partitions upper bound of consumer parallelism for the topic
     * @param compacted keep only the latest value per key
     */
    public record Spec(String name, int partitions, boolean compacted) {}

    public static final List<Spec> LAYOUT = List.of(
            new Spec(TENANT_CONFIG, 6, true),
            new Spec(KEY_LIFECYCLE, 3, false),
            new Spec(USAGE_RECORDED, 12, false),
            new Spec(QUOTA_STATE, 6, true),
            new Spec(NOTIFICATION, 6, false),
            new Spec(AUDIT, 6, false),
            new Spec(ADMIN_KEY_REVOCATIONS, 1, true),
            new Spec(PRICES, 1, true),
            new Spec(ALLOWANCE_REQUEST, 12, false),
            new Spec(ALLOWANCE, 6, false),
            new Spec(deadLetter(USAGE_RECORDED), 3, false),
            new Spec(deadLetter(NOTIFICATION), 3, false),
            new Spec(deadLetter(AUDIT), 3, false),
            new Spec(deadLetter(ALLOWANCE_REQUEST), 3, false));

    /** Dead-letter topic for messages a consumer could not process. */
    public static String deadLetter(String topic) {
        return topic + ".dlt";
    }

    private Topics() {}
}
