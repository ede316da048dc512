package dev.symbolon.admin.tenants;

import java.time.Instant;

/**
 * What every change to a tenant or to something it owns calls, in the change's transaction: the
 * tenant's next revision and its new configuration snapshot on the outbox. Implemented by
 * {@code snapshots.TenantSnapshots}, which reads every package's stores; the packages that change
 * things depend on this interface only, so none of them depends on the others.
 */
public interface TenantChanges {

    /** The tenant or something it owns changed: next revision, new snapshot. */
    void changed(Tenant tenant, Instant now);

    /** The platform-wide configuration (global IP rules) changed. */
    void platformChanged(Instant now);
}
