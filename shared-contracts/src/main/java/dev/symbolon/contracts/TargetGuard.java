package dev.symbolon.contracts;

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
 *
 * <p>Before anything resolves, host names are refused that only mean something inside a network
 * (a single label such as {@code key-vault-service}, {@code localhost}, {@code *.internal},
 * {@code *.local}, {@code *.localhost}) and IPv4 literals in any but the dotted-decimal form
 * ({@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1}), which different clients read differently.
 *
 * <p>The one rule for webhook targets: admin-api applies it when an endpoint is registered, the
 * dispatcher again at every delivery (an address can change meanwhile).
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
            throw new Refused("the URL must use https");
        }
        String host = uri.getHost();
        boolean literalV6 = host.startsWith("[") && host.endsWith("]");
        if (literalV6) {
            host = host.substring(1, host.length() - 1);
        } else {
            String why = forbiddenName(host.toLowerCase(Locale.ROOT));
            if (why != null && !(allowLoopback && isLoopbackName(host.toLowerCase(Locale.ROOT)))) {
                throw new Refused("the host is " + why);
            }
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

    private static final java.util.regex.Pattern DOTTED_QUAD = java.util.regex.Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final java.util.regex.Pattern NUMERIC_LOOKING = java.util.regex.Pattern.compile("[0-9x.]+");

    /** Why a host name is refused before it is resolved; null when it may be resolved. */
    static String forbiddenName(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (NUMERIC_LOOKING.matcher(name).matches() || name.matches("0x[0-9a-f.x]+")) {
            return DOTTED_QUAD.matcher(name).matches() ? null : "an IPv4 address in an ambiguous form";
        }
        if (!name.contains(".")) {
            return "a single-label name (internal to a network)";
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return "a loopback name";
        }
        if (name.endsWith(".internal")
                || name.endsWith(".local")
                || name.endsWith(".lan")
                || name.endsWith(".home.arpa")
                || name.endsWith(".cluster.local")) {
            return "a name internal to a network";
        }
        return null;
    }

    private static boolean isLoopbackName(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.");
    }

    /** The class of a non-public address, or null for a public unicast one. */
    static String forbidden(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            if (((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02)
                    || ((b[0] & 0xff) == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)) {
                // 6to4 and Teredo tunnel to an IPv4 address through relays outside our control
                return "tunnel (6to4 or Teredo)";
            }
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
        if ((a0 == 192 && a1 == 0 && (b[2] & 0xff) == 2)
                || (a0 == 198 && a1 == 51 && (b[2] & 0xff) == 100)
                || (a0 == 203 && a1 == 0 && (b[2] & 0xff) == 113)) {
            return "documentation";
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
