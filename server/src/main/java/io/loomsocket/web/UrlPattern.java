package io.loomsocket.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL pattern (Django's {@code re_path}): a regular expression matched against the request
 * path without its leading slash ({@code ^echo$} matches {@code /echo}); its named groups
 * ({@code (?<room>[^/]+)}) become the request's path parameters. Patterns are tried in order.
 * A pattern that ends with {@code $} must match the whole path (as Django does since 2.2.x:
 * {@code fullmatch}); Java's {@code $}, like Python's, also matches before a final line
 * terminator, so {@code ^secure_echo$} searched would accept {@code secure_echo\n}. A pattern
 * without a final {@code $} is searched, so {@code ^static/} matches every path under it.
 */
public record UrlPattern(Pattern regex, View view, String name) {

    public UrlPattern {
        Objects.requireNonNull(regex, "regex");
        Objects.requireNonNull(view, "view");
    }

    /** True if the pattern ends with an unescaped {@code $}: an endpoint that must match the whole path. */
    private static boolean anchoredAtEnd(String pattern) {
        if (!pattern.endsWith("$")) return false;
        int backslashes = 0;
        for (int i = pattern.length() - 2; i >= 0 && pattern.charAt(i) == '\\'; i--) backslashes++;
        return backslashes % 2 == 0;
    }

    static UrlPattern of(String regex, View view, String name) {
        return new UrlPattern(Pattern.compile(regex), view, name);
    }

    /** The path parameters if {@code path} (with its leading slash) matches. */
    public Optional<Map<String, String>> match(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        Matcher m = regex.matcher(p);
        if (!(anchoredAtEnd(regex.pattern()) ? m.matches() : m.find())) return Optional.empty();
        Map<String, String> params = new LinkedHashMap<>();
        for (String group : regex.namedGroups().keySet()) {
            String v = m.group(group);
            if (v != null) params.put(group, v);
        }
        return Optional.of(params);
    }

    @Override
    public String toString() {
        return regex.pattern() + " -> " + view + (name == null ? "" : " (" + name + ")");
    }
}
