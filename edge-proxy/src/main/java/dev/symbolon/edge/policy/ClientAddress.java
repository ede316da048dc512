package dev.symbolon.edge.policy;

import dev.symbolon.contracts.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's address for IP rules: the socket's peer, unless that peer is a configured trusted
 * proxy; then the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries
 * a client could have forged (left of the last trusted hop) are never used.
 */
public final class ClientAddress {

    private final List<Cidr> trustedProxies;

    public ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
    }

    public InetAddress resolve(InetAddress peer, String forwardedFor) {
        InetAddress client = peer;
        if (forwardedFor == null || !trusted(client)) {
            return client;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0 && trusted(client); i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                return client;
            }
            client = hop;
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        return trustedProxies.stream().anyMatch(cidr -> cidr.contains(address));
    }

    private static InetAddress literal(String text) {
        try {
            Cidr.parse(text);
            return InetAddress.getByName(text);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }
}
