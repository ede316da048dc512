package dev.symbolon.webhooks.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * SSRF protection for webhook targets. The host is resolved here, every address it resolves to must
 * be a public unicast address, and the delivery then connects to the address that was checked (never
 * resolving again, so DNS rebinding cannot swap it). Refused: unspecified, loopback, private (RFC 1918,
 * IPv6 ULA), link-local (cloud metadata at 169.254.169.254 included), CGNAT (100.64/10), multicast,
 * broadcast and reserved ranges, in every IPv4 and IPv6 form — IPv4-mapped ({@code ::ffff:127.0.0.1}),
 * IPv4-compatible, NAT64 ({@code 64:ff9b::/96}), 6to4 and Teredo wrappers of them. HTTPS is required
 * unless local mode allows plain HTTP; loopback only when explicitly allowed (local mode, tests).
 */
public final class TargetGuard {

    private final boolean allowLoopback;
    private final boolean requireHttps;
    private final Resolver resolver;

    public TargetGuard(boolean allowLoopback, boolean requireHttps) {
        this(allowLoopback, requireHttps, InetAddress::getAllByName);
    }

    TargetGuard(boolean allowLoopback, boolean requireHttps, Resolver resolver) {
        this.allowLoopback = allowLoopback;
        this.requireHttps = requireHttps;
        this.resolver = resolver;
    }

    /** A target that passed: where to connect, and the name to send as Host and SNI. */
    public record Checked(URI uri, String host, InetAddress address, int port, boolean https) {}

    /** Why a target was refused (safe to show the tenant: names the rule, not internal details). */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public Checked check(URI uri) throws Refused {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new Refused("the URL must be absolute, with a host and no user info");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw new Refused("only http and https URLs are delivered to");
        }
        if (!https && requireHttps) {
            throw new Refused("HTTPS is required");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Refused("the host does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("the host does not resolve");
        }
        for (InetAddress address : addresses) {
            String why = forbidden(address);
            if (why != null && !(allowLoopback && isLoopback(address))) {
                throw new Refused("the host resolves to a " + why + " address");
            }
        }
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        return new Checked(uri, host, addresses[0], port, https);
    }

    /** The class of a non-public address, or null for a public unicast one. */
    static String forbidden(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            Inet4Address embedded = embeddedIpv4(b);
            if (embedded != null) {
                String inner = forbidden(embedded);
                return inner != null ? inner : isNat64(b) ? "NAT64" : null;
            }
            if (isAllZero(b)) {
                return "unspecified";
            }
            if (v6.isLoopbackAddress()) {
                return "loopback";
            }
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return "private (unique local)";
            }
            if (first == 0xfe && (b[1] & 0xc0) == 0x80) {
                return "link-local";
            }
            if (first == 0xfe && (b[1] & 0xc0) == 0xc0) {
                return "private (site-local)";
            }
            if (first == 0xff) {
                return "multicast";
            }
            if (first == 0x20 && b[1] == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return "documentation";
            }
            if ((first & 0xe0) != 0x20) {
                return "reserved"; // outside 2000::/3, the global unicast space
            }
            return null;
        }
        byte[] b = address.getAddress();
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 0) {
            return "unspecified";
        }
        if (a0 == 127) {
            return "loopback";
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return "private";
        }
        if (a0 == 169 && a1 == 254) {
            return "link-local (cloud metadata)";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "CGNAT";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "multicast";
        }
        if (a0 >= 240) {
            return "reserved";
        }
        if (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) {
            return "reserved (IETF)";
        }
        if (a0 == 198 && (a1 & 0xfe) == 18) {
            return "reserved (benchmarking)";
        }
        return null;
    }

    /**
     * The IPv4 address inside an IPv6 form that carries one: mapped {@code ::ffff:a.b.c.d},
     * compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4 {@code 2002:AABB:CCDD::},
     * Teredo {@code 2001:0::} (client address, inverted).
     */
    private static Inet4Address embeddedIpv4(byte[] b) {
        boolean firstTenZero = isZero(b, 0, 10);
        if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return v4(b[12], b[13], b[14], b[15]);
        }
        if (isZero(b, 0, 12) && !isZero(b, 12, 16) && !(isZero(b, 12, 15) && b[15] == 1)) {
            return v4(b[12], b[13], b[14], b[15]);
        }
        if (isNat64(b)) {
            return v4(b[12], b[13], b[14], b[15]);
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return v4(b[2], b[3], b[4], b[5]);
        }
        if ((b[0] & 0xff) == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            return v4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]);
        }
        return null;
    }

    private static boolean isNat64(byte[] b) {
        return b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && isZero(b, 4, 12);
    }

    private static Inet4Address v4(byte a, byte b, byte c, byte d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isLoopback(InetAddress address) {
        return "loopback".equals(forbidden(address));
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllZero(byte[] b) {
        return isZero(b, 0, b.length) || Arrays.equals(b, new byte[16]);
    }
}
