package dev.symbolon.keyvault.store;

/** A check-and-set write lost: the entry changed since it was read. Read again and retry. */
public class ConcurrentChangeException extends RuntimeException {

    public ConcurrentChangeException(String path) {
        super("the key store entry " + path + " changed since it was read");
    }
}
