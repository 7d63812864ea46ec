package io.loomsocket.web;

import io.loomsocket.server.Authority;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The host names this application answers to (Django's {@code ALLOWED_HOSTS}), against DNS
 * rebinding: a page on {@code attacker.example} whose name the attacker re-points at 127.0.0.1
 * reaches a loopback server with {@code Host: attacker.example}; refused here with 400, before
 * any middleware, view or WebSocket upgrade. Entries, compared without the port and ignoring case
 * and a final dot: an exact name or address ({@code example.com}, {@code 127.0.0.1},
 * {@code [::1]}), {@code .example.com} for the domain and every subdomain, or {@code *} for any.
 */
final class AllowedHosts {
    private final boolean any;
    private final List<String> entries;

    private AllowedHosts(boolean any, List<String> entries) {
        this.any = any;
        this.entries = entries;
    }

    /** Parses the setting's comma-separated value; a malformed entry is a SettingsException. */
    static AllowedHosts parse(String setting) {
        List<String> list = new ArrayList<>();
        boolean any = false;
        for (String raw : setting.split(",")) {
            String entry = raw.strip().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) continue;
            if (entry.equals("*")) {
                any = true;
                continue;
            }
            String name = entry.startsWith(".") ? entry.substring(1) : entry;
            Optional<Authority> a = Authority.parse(name);
            if (a.isEmpty() || a.get().port() >= 0 || name.startsWith(".")) {
                throw new SettingsException("allowed_hosts: '" + raw.strip()
                        + "' is not a host name like example.com, .example.com (with subdomains), an address like 127.0.0.1 or [::1], or *");
            }
            list.add(entry.startsWith(".") ? "." + domain(name) : domain(name));
        }
        return new AllowedHosts(any, List.copyOf(list));
    }

    /**
     * True if a request for {@code authority} (the Host field or the absolute-form target's
     * authority, {@code host[:port]}, already syntax-checked by the parser) may be served. A request
     * that names no host at all (HTTP/1.0 without Host) is allowed: no browser sends one.
     */
    boolean allows(String authority) {
        if (authority == null || any) return true;
        Optional<Authority> a = Authority.parse(authority);
        if (a.isEmpty()) return false;
        String host = domain(a.get().host().toLowerCase(Locale.ROOT));
        for (String e : entries) {
            // Django's is_same_domain: ".example.com" is example.com and every name under it
            if (e.charAt(0) == '.' ? host.endsWith(e) || host.equals(e.substring(1)) : host.equals(e)) return true;
        }
        return false;
    }

    /** True if only loopback names are allowed (the default), which a server on every interface should change. */
    boolean loopbackOnly() {
        return !any && entries.stream().allMatch(e -> e.equals("localhost") || e.equals("127.0.0.1") || e.equals("[::1]"));
    }

    @Override
    public String toString() {
        return any ? "*" : String.join(",", entries);
    }

    /** A name without its final dot ({@code example.com.} is {@code example.com}); IP-literals unchanged. */
    private static String domain(String host) {
        return host.endsWith(".") && !host.startsWith("[") ? host.substring(0, host.length() - 1) : host;
    }
}
