package dev.symbolon.contracts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}). Parsing
 * accepts address literals only (never a host name, so no DNS lookup) and refuses host bits below the
 * prefix, so a rule means exactly what it says. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d})
 * matches the IPv4 networks it maps to.
 */
public final class Cidr {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * @throws IllegalArgumentException with a message fit for an API error when the text is not a
     *     canonical CIDR
     */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a CIDR is required, e.g. 203.0.113.0/24");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = literal(address)
                .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not an IP address or CIDR"));
        int max = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix of '" + text + "' must be between 0 and " + max);
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException(
                    "'" + text + "' has host bits set; did you mean " + format(masked, prefix) + "?");
        }
        return new Cidr(bytes, prefix);
    }

    /** Whether an address (a literal, as from a socket) is inside this network. */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length == 16 && network.length == 4 && isV4Mapped(candidate)) {
            candidate = Arrays.copyOfRange(candidate, 12, 16);
        }
        if (candidate.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(candidate, prefix), network);
    }

    private static Optional<byte[]> literal(String address) {
        boolean v4 = IPV4.matcher(address).matches();
        boolean v6 = !v4 && address.contains(":") && IPV6.matcher(address).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (v4) {
                for (String part : address.split("\\.")) {
                    if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(bytes);
        } catch (UnknownHostException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isV4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (bits == 0 ? 0 : 0xff << (8 - bits)));
        }
        return out;
    }

    private static String format(byte[] network, int prefix) {
        try {
            return InetAddress.getByAddress(network).getHostAddress().toLowerCase(Locale.ROOT) + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Canonical text: the network address and prefix, e.g. {@code 2001:db8:0:0:0:0:0:0/32}. */
    @Override
    public String toString() {
        return format(network, prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }
}
