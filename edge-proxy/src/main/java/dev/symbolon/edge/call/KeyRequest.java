package dev.symbolon.edge.call;

/** Which kind of key a request asks for, from its headers (see {@code ProviderKeys.requested}) and policy. */
public enum KeyRequest {
    /** No key header: the operator's server-key pool. */
    SERVER,
    /** No key header, and the policy is {@code byokOnly}: the tenant's managed keys for the provider. */
    OWN_POOL,
    /** {@code X-Symbolon-Key-Id}: that managed key of the tenant. */
    MANAGED,
    /** {@code X-Partial-Key-Id} and {@code X-Partial-Key}: that split key of the tenant. */
    SPLIT
}
