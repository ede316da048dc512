package dev.symbolon.edge.auth;

/** Who is calling: an app of a tenant, established from its credential. */
public record AppIdentity(String tenantId, String appId) {}
