package dev.symbolon.admin.auth;

import java.util.Arrays;
import java.util.Optional;

/** What an administrator may do; see {@link Access} for the table. */
public enum Role {
    /** Everything. */
    PLATFORM_ADMIN("platform-admin"),
    /** Keys, IP rules, audit; reads tenants and apps, revokes credentials. */
    SECURITY_OFFICER("security-officer"),
    /** Reads usage and cost of all tenants, and the tenants themselves. */
    FINANCE("finance"),
    /** Only its own tenant: apps, credentials, webhooks, usage. */
    TENANT_ADMIN("tenant-admin");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The role as it appears in tokens, the API and the database. */
    public String wireName() {
        return wireName;
    }

    public static Optional<Role> fromWireName(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }
}
