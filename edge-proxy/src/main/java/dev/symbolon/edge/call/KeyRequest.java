package dev.symbolon.edge.call;

/** Which kind of key a request asks for, from its headers alone (see {@code ProviderKeys.requested}). */
public enum KeyRequest {
    SERVER,
    MANAGED,
    SPLIT
}
