package io.loomsocket.web;

import io.loomsocket.engine.HttpHeaders;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code http.trusted_proxies} setting: the addresses and networks ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}, {@code 127.0.0.1}) whose forwarding headers are believed, and the rule
 * that turns those headers into the request's client address, scheme and host ({@link #resolve}).
 * Only IP literals are accepted: nothing here ever asks DNS.
 */
final class TrustedProxies {
    /** One network: its address bytes and prefix length. */
    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != address.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (a[i] != address[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (address[full] & mask);
        }
    }

    /** What a request looks like from the client's side: address (an IP literal or an RFC 7239 token), scheme, host. */
    record View(String clientAddress, boolean secure, String host) {}

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Network> networks;

    private TrustedProxies(List<Network> networks) {
        this.networks = networks;
    }

    /** Parses the setting's value: comma-separated IP addresses or CIDR networks, IPv4 or IPv6. */
    static TrustedProxies parse(String setting) {
        List<Network> list = new ArrayList<>();
        for (String raw : setting.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) continue;
            int slash = entry.indexOf('/');
            byte[] address = ipLiteral(slash < 0 ? entry : entry.substring(0, slash));
            int prefix;
            try {
                prefix = slash < 0 ? (address == null ? 0 : address.length * 8) : Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (address == null || prefix < 0 || prefix > address.length * 8) {
                throw new SettingsException("http.trusted_proxies: '" + entry
                        + "' is not an IP address or a network like 10.0.0.0/8 or fd00::/8");
            }
            list.add(new Network(address, prefix));
        }
        return list.isEmpty() ? NONE : new TrustedProxies(List.copyOf(list));
    }

    boolean isEmpty() {
        return networks.isEmpty();
    }

    /** True if {@code ip} (an IP literal) is in one of the networks. */
    boolean trusts(String ip) {
        if (networks.isEmpty()) return false;
        byte[] a = ipLiteral(ip);
        if (a == null) return false;
        for (Network n : networks) if (n.contains(a)) return true;
        return false;
    }

    /**
     * The client's view of a request that came from {@code peer} (an IP literal) over a transport
     * that is {@code secure} or not, with these headers. From an untrusted peer the headers are
     * ignored: the peer is the client. From a trusted one, the forwarding chain is read from
     * {@code Forwarded} (RFC 7239) if present, else from {@code X-Forwarded-For}; it is walked from
     * the right (the hop nearest to us) past every trusted address, and the first untrusted one is
     * the client (every hop left of it could have been written by the client itself). If every
     * address is trusted, the left-most is the client. The scheme and host are the {@code proto} and
     * {@code host} of that client's {@code Forwarded} element, or else the right-most
     * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (set by the nearest proxy); without
     * them, those of the request as it arrived ({@code host}: its {@code Host} field or the
     * authority of an absolute-form target, null if none).
     */
    View resolve(String peer, boolean secure, String host, HttpHeaders headers) {
        if (!trusts(peer)) return new View(peer, secure, host);
        List<String> forwarded = headers.getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            List<Element> chain = new ArrayList<>();
            for (String h : forwarded) chain.addAll(Element.parseAll(h));
            Element client = null;
            for (int i = chain.size() - 1; i >= 0; i--) {
                Element e = chain.get(i);
                if (e.forNode() == null) continue;
                client = e;
                if (!trusts(e.forNode())) break;
            }
            if (client == null) return new View(peer, secure, host);
            boolean https = client.proto() != null ? isSecureScheme(client.proto()) : secure;
            return new View(client.forNode(), https, client.host() != null ? client.host() : host);
        }
        String client = peer;
        List<String> xff = commaSeparated(headers.getAll("X-Forwarded-For"));
        for (int i = xff.size() - 1; i >= 0; i--) {
            String ip = node(xff.get(i));
            if (ip == null) break;
            client = ip;
            if (!trusts(ip)) break;
        }
        List<String> proto = commaSeparated(headers.getAll("X-Forwarded-Proto"));
        List<String> fhost = commaSeparated(headers.getAll("X-Forwarded-Host"));
        return new View(client, proto.isEmpty() ? secure : isSecureScheme(proto.get(proto.size() - 1)),
                fhost.isEmpty() ? host : fhost.get(fhost.size() - 1));
    }

    private static boolean isSecureScheme(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        return s.equals("https") || s.equals("wss");
    }

    private static List<String> commaSeparated(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            for (String part : h.split(",")) {
                String p = part.strip();
                if (!p.isEmpty()) out.add(p);
            }
        }
        return out;
    }

    /**
     * An RFC 7239 §6 node or an X-Forwarded-For entry as an address: {@code 192.0.2.1},
     * {@code 192.0.2.1:4711}, {@code [2001:db8::1]:4711}, {@code 2001:db8::1}; {@code unknown} and
     * obfuscated identifiers ({@code _hidden}) are returned as they are (never trusted); anything
     * else is null.
     */
    static String node(String s) {
        String v = s.strip();
        if (v.equalsIgnoreCase("unknown") || v.startsWith("_") && v.length() > 1 && v.chars().allMatch(c ->
                Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
            return v;
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) return null;
            v = v.substring(1, close);
        } else if (v.indexOf(':') > 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
        }
        byte[] a = ipLiteral(v);
        if (a == null) return null;
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The bytes of an IPv4 or IPv6 literal, or null (never a DNS lookup). */
    static byte[] ipLiteral(String s) {
        if (s.isEmpty() || s.length() > 45) return null;
        boolean v6 = s.indexOf(':') >= 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c == '.' || v6 && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
            if (!ok) return null;
        }
        if (!v6) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) return null;
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) return null;
                int n = Integer.parseInt(parts[i]);
                if (n > 255) return null;
                b[i] = (byte) n;
            }
            return b;
        }
        try {
            return InetAddress.getByName(s).getAddress(); // an IPv6 literal (checked above): parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One element of a {@code Forwarded} header (RFC 7239 §4): its for, proto and host parameters. */
    record Element(String forNode, String proto, String host) {
        static List<Element> parseAll(String header) {
            List<Element> out = new ArrayList<>();
            for (String element : splitOutsideQuotes(header, ',')) {
                String forNode = null;
                String proto = null;
                String host = null;
                for (String pair : splitOutsideQuotes(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) continue;
                    String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                    String value = unquote(pair.substring(eq + 1).strip());
                    switch (name) {
                        case "for" -> forNode = node(value);
                        case "proto" -> proto = value;
                        case "host" -> host = value;
                        default -> { }
                    }
                }
                out.add(new Element(forNode, proto, host));
            }
            return out;
        }

        private static String unquote(String v) {
            if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') return v;
            StringBuilder sb = new StringBuilder(v.length());
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) c = v.charAt(++i); // quoted-pair, RFC 9110 §5.6.4
                sb.append(c);
            }
            return sb.toString();
        }

        private static List<String> splitOutsideQuotes(String s, char sep) {
            List<String> parts = new ArrayList<>();
            boolean quoted = false;
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"') quoted = !quoted;
                else if (c == '\\' && quoted) i++;
                else if (c == sep && !quoted) {
                    parts.add(s.substring(start, i));
                    start = i + 1;
                }
            }
            parts.add(s.substring(start));
            return parts;
        }
    }
}
