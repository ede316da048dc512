package dev.symbolon.support.server;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long and how many connections a client may hold, for every service ({@code symbolon.server.*}).
 *
 * @param headerTimeout a request's line and headers must have arrived within this of its first byte
 *     (a client trickling header bytes is cut off here)
 * @param idleTimeout a connection without a request in progress is closed after this long without a
 *     byte (before its first request, or between kept-alive requests)
 * @param bodyReadTimeout longest pause between two reads of a request body
 * @param bodyTimeout longest time to read one whole request body
 * @param maxConnectionsPerAddress open connections one client address may hold; beyond it, new ones
 *     are closed at once
 * @param unlimitedAddresses CIDRs exempt from the per-address cap (the load balancer or proxies in
 *     front of a service: every client arrives from their addresses)
 */
@ConfigurationProperties("symbolon.server")
public record ServerLimits(
        Duration headerTimeout,
        Duration idleTimeout,
        Duration bodyReadTimeout,
        Duration bodyTimeout,
        Integer maxConnectionsPerAddress,
        List<String> unlimitedAddresses) {

    public ServerLimits {
        headerTimeout = headerTimeout == null ? Duration.ofSeconds(10) : headerTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        bodyReadTimeout = bodyReadTimeout == null ? Duration.ofSeconds(30) : bodyReadTimeout;
        bodyTimeout = bodyTimeout == null ? Duration.ofMinutes(5) : bodyTimeout;
        maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 256 : maxConnectionsPerAddress;
        unlimitedAddresses = unlimitedAddresses == null
                ? List.of()
                : unlimitedAddresses.stream()
                        .map(String::trim)
                        .filter(cidr -> !cidr.isEmpty())
                        .toList();
    }
}
