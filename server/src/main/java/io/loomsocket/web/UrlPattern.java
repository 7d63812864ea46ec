package io.loomsocket.web;

import java.util.LinkedHashMap;
import java.util.List;
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
 *
 * <p>Most patterns are literal text ({@code ^echo$}, {@code ^index/$}) or start with some
 * ({@code ^chat/(?<room>[^/]+)/$}): {@link LiteralForm} reads that text once, when the pattern is
 * made, so that a literal pattern is matched by comparing strings and a path without the literal
 * start of a pattern is passed over without running the regular expression. Both give the
 * regular expression's answer; only the work differs. Immutable and thread-safe.
 */
public final class UrlPattern {
    private static final Optional<Map<String, String>> NO_PARAMS = Optional.of(Map.of());

    private final Pattern regex;
    private final View view;
    private final String name;
    /** The pattern ends with an unescaped {@code $}: {@link Matcher#matches()}, else {@link Matcher#find()}. */
    private final boolean wholePath;
    private final LiteralForm literal;
    private final List<String> groups;

    /**
     * @param regex the regular expression, matched against the path without its leading slash
     * @param view  what serves a matching request
     * @param name  the pattern's name, or null
     */
    public UrlPattern(Pattern regex, View view, String name) {
        this.regex = Objects.requireNonNull(regex, "regex");
        this.view = Objects.requireNonNull(view, "view");
        this.name = name;
        this.wholePath = anchoredAtEnd(regex.pattern());
        this.literal = LiteralForm.of(regex);
        this.groups = List.copyOf(regex.namedGroups().keySet());
    }

    static UrlPattern of(String regex, View view, String name) {
        return new UrlPattern(Pattern.compile(regex), view, name);
    }

    public Pattern regex() {
        return regex;
    }

    public View view() {
        return view;
    }

    /** The pattern's name, or null. */
    public String name() {
        return name;
    }

    /** True if the pattern ends with an unescaped {@code $}: an endpoint that must match the whole path. */
    private static boolean anchoredAtEnd(String pattern) {
        if (!pattern.endsWith("$")) return false;
        int backslashes = 0;
        for (int i = pattern.length() - 2; i >= 0 && pattern.charAt(i) == '\\'; i--) backslashes++;
        return backslashes % 2 == 0;
    }

    /** The path parameters if {@code path} (with its leading slash) matches. */
    public Optional<Map<String, String>> match(String path) {
        int from = path.startsWith("/") ? 1 : 0;
        if (literal != null) {
            if (literal.exact()) {
                String text = literal.text();
                // matched whole: the path is the text, nothing more (no line terminator either, which
                // the $ would allow before the end but matches() would have to consume); searched:
                // the path starts with it (^) or contains it
                if (wholePath ? path.length() - from == text.length() && path.startsWith(text, from)
                        : literal.startAnchored() ? path.startsWith(text, from) : path.indexOf(text, from) >= 0) {
                    return NO_PARAMS;
                }
                return Optional.empty();
            }
            // the literal start of a pattern that must match at the path's start
            if (!path.startsWith(literal.text(), from)) return Optional.empty();
        }
        Matcher m = regex.matcher(from == 0 ? path : path.substring(from));
        if (!(wholePath ? m.matches() : m.find())) return Optional.empty();
        if (groups.isEmpty()) return NO_PARAMS;
        Map<String, String> params = new LinkedHashMap<>();
        for (String group : groups) {
            String v = m.group(group);
            if (v != null) params.put(group, v);
        }
        return Optional.of(params);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UrlPattern p && regex.equals(p.regex) && view.equals(p.view) && Objects.equals(name, p.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(regex, view, name);
    }

    @Override
    public String toString() {
        return regex.pattern() + " -> " + view + (name == null ? "" : " (" + name + ")");
    }

    /**
     * The literal text of a pattern, read from its source: characters that stand for themselves
     * (no flags, no metacharacter), {@code \} before a character that is not a letter or digit,
     * and {@code \Q...\E} quotes. Either the whole pattern is that text, between an optional
     * leading {@code ^} and an optional final {@code $} ({@link #exact}), or a pattern that starts
     * with {@code ^} (or must match the whole path) begins with it, and so must every path it
     * matches. Null when neither holds (an alternation {@code |} anywhere, flags, no literal start).
     *
     * @param text          the literal text: the whole pattern, or its required start
     * @param exact         the pattern is just the text (and anchors)
     * @param startAnchored for an exact pattern: it starts with {@code ^}
     */
    record LiteralForm(String text, boolean exact, boolean startAnchored) {

        static LiteralForm of(Pattern regex) {
            String p = regex.pattern();
            if (regex.flags() != 0 || p.indexOf('|') >= 0) return null;
            boolean start = p.startsWith("^");
            boolean wholePath = anchoredAtEnd(p);
            StringBuilder text = new StringBuilder();
            int i = start ? 1 : 0;
            boolean quoted = false;
            while (i < p.length()) {
                char c = p.charAt(i);
                if (quoted) {
                    if (c == '\\' && i + 1 < p.length() && p.charAt(i + 1) == 'E') {
                        quoted = false;
                        i += 2;
                    } else {
                        text.append(c);
                        i++;
                    }
                    continue;
                }
                if (c == '\\') {
                    if (i + 1 >= p.length()) return null;
                    char next = p.charAt(i + 1);
                    if (next == 'Q') {
                        quoted = true;
                        i += 2;
                        continue;
                    }
                    if (Character.isLetterOrDigit(next) || Character.isSurrogate(next)) {
                        return start(text, start || wholePath); // \d, \w, \1, ...: not literal
                    }
                    text.append(next);
                    i += 2;
                    continue;
                }
                if (c == '$' && i == p.length() - 1) {
                    // the final anchor of a pattern matched whole (an escaped one was read as text above)
                    if (!wholePath) return null;
                    return new LiteralForm(text.toString(), true, start);
                }
                if ("^$.?*+()[]{}".indexOf(c) >= 0 || Character.isSurrogate(c)) {
                    // a quantifier applies to the literal character before it: that one is not required
                    if ((c == '?' || c == '*' || c == '{' || c == '+') && !text.isEmpty()) {
                        text.setLength(text.length() - 1);
                    }
                    return start(text, start || wholePath);
                }
                text.append(c);
                i++;
            }
            return new LiteralForm(text.toString(), true, start);
        }

        /** The literal start of a pattern that is more than literal text, if it must match at the path's start. */
        private static LiteralForm start(StringBuilder text, boolean atPathStart) {
            return atPathStart && !text.isEmpty() ? new LiteralForm(text.toString(), false, true) : null;
        }
    }
}
