package dev.prefixrouter.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose forwarding headers ({@code X-Forwarded-*}, {@code Forwarded}) the router believes:
 * {@code router.proxy.trusted-proxies}, blocks of addresses in CIDR notation. Immutable.
 */
final class TrustedProxies {

    static final String PROPERTY = "router.proxy.trusted-proxies";

    private final List<IpRange> ranges;

    private TrustedProxies(List<IpRange> ranges) {
        this.ranges = ranges;
    }

    /** Parses each entry; a bad one fails with a message naming the property and the entry's index. */
    static TrustedProxies parse(List<String> entries) {
        List<IpRange> ranges = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            try {
                ranges.add(IpRange.parse(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PROPERTY + "[" + i + "] must be an IPv4 or IPv6 address or CIDR"
                        + " block (e.g. 10.0.0.0/8, fd00::/8), was '" + entries.get(i) + "': " + e.getMessage());
            }
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    /** Whether {@code peer} is in one of the blocks; never, when none is configured (the default). */
    boolean contains(InetAddress peer) {
        if (ranges.isEmpty() || peer == null) {
            return false;
        }
        byte[] address = peer.getAddress();
        for (IpRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return ranges.toString();
    }
}
