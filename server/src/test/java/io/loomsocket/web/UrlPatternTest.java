package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * URL patterns read as literal text ({@link UrlPattern.LiteralForm}) give the regular expression's
 * answer on every path: a whole match for a pattern ending in {@code $}, a search otherwise.
 */
class UrlPatternTest {
    private static final View VIEW = r -> null;

    /** The answer of the regular expression alone: what {@link UrlPattern#match} must agree with. */
    private static Optional<Map<String, String>> byRegex(Pattern regex, String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        Matcher m = regex.matcher(p);
        String s = regex.pattern();
        int backslashes = 0;
        for (int i = s.length() - 2; i >= 0 && s.charAt(i) == '\\'; i--) backslashes++;
        boolean whole = s.endsWith("$") && backslashes % 2 == 0;
        if (!(whole ? m.matches() : m.find())) return Optional.empty();
        Map<String, String> params = new LinkedHashMap<>();
        for (String group : regex.namedGroups().keySet()) {
            if (m.group(group) != null) params.put(group, m.group(group));
        }
        return Optional.of(params);
    }

    private static final List<String> PATTERNS = List.of(
            "^echo$", "echo$", "^echo", "echo", "^$", "^", "", "$", "^index/$", "^favicon\\.ico$", "^price\\$",
            "^price\\\\$", "^a\\$b$", "^\\Qa.b\\E$", "^\\Qa$", "^\\Qab\\E?c", "^\\Qa|b\\E$", "^static/", "^static/(?<path>.*)$",
            "^chat/(?<room>[^/]+)/$", "^chat/$", "^ab?c$", "^ab*$", "^ab+$", "^ab{2}$", "^a.c$", "^a\\.c$", "^a\\-b$",
            "^a\\d$", "^a\\1$", "^(?i)echo$", "^echo$|^other$", "^a b$", "^caf\u00e9$", "^\uD83D\uDE00x$", "^x\uD83D\uDE00?$",
            "^\\Q\\E$", "^a\\Q\\E?b$", "^a^b", "^a$b", "^[ab]c$", "^a]b$", "^a}b$", "^a(b)$", "^\\/x$", "^x\\/$",
            "^echo\n$", "^a\\\\b$", "ec[h]o$", "^echo(?=x)");

    private static final List<String> PATHS = List.of(
            "/echo", "echo", "/", "", "/echo/", "/echoes", "/xecho", "/echo\n", "/echo\r\n", "/echo\u2028", "/Echo", "//echo",
            "/index/", "/index", "/favicon.ico", "/faviconxico", "/price$", "/price$10", "/price\\", "/a$b", "/a.b", "/axb",
            "/a$", "/ac", "/abc", "/c", "/bc", "/a|b", "/static/", "/static/a/b.css", "/static/a\nb", "/static",
            "/chat/", "/chat/lobby/", "/chat/lobby", "/chat//", "/abbc", "/abb", "/a", "/ab", "/a.c", "/a-b", "/a1", "/a\\1",
            "/ECHO", "/other", "/a b", "/caf\u00e9", "/\uD83D\uDE00x", "/x", "/x\uD83D\uDE00", "/a^b", "/bc", "/ac",
            "/a]b", "/a}b", "/x/", "/echo\n\n", "/a\\b", "/echox", "/echo?x", "/x/echo", "\n");

    @Test
    void literalAndPrefixFormsAgreeWithTheRegularExpression() {
        for (String pattern : PATTERNS) {
            UrlPattern p = UrlPattern.of(pattern, VIEW, null);
            for (String path : PATHS) {
                assertThat(p.match(path)).as("pattern %s on path %s", pattern, path.replace("\n", "\\n"))
                        .isEqualTo(byRegex(p.regex(), path));
            }
        }
    }

    @Test
    void patternsWithFlagsAreLeftToTheRegularExpression() {
        UrlPattern p = new UrlPattern(Pattern.compile("^echo$", Pattern.CASE_INSENSITIVE), VIEW, null);
        assertThat(p.match("/ECHO")).isPresent();
        assertThat(UrlPattern.LiteralForm.of(p.regex())).isNull();
        UrlPattern literal = new UrlPattern(Pattern.compile("^a.c$", Pattern.LITERAL), VIEW, null);
        for (String path : PATHS) assertThat(literal.match(path)).isEqualTo(byRegex(literal.regex(), path));
    }

    /** What is read as literal text; these patterns need no Matcher for most paths. */
    @Test
    void literalFormsOfCommonPatterns() {
        assertThat(form("^echo$")).isEqualTo(new UrlPattern.LiteralForm("echo", true, true));
        assertThat(form("^$")).isEqualTo(new UrlPattern.LiteralForm("", true, true));
        assertThat(form("^favicon\\.ico$")).isEqualTo(new UrlPattern.LiteralForm("favicon.ico", true, true));
        assertThat(form("^\\Qmetrics\\E$")).isEqualTo(new UrlPattern.LiteralForm("metrics", true, true));
        assertThat(form("^static/")).isEqualTo(new UrlPattern.LiteralForm("static/", true, true));
        assertThat(form("echo")).isEqualTo(new UrlPattern.LiteralForm("echo", true, false));
        assertThat(form("^\\Qstatic/\\E(?<path>.*)$")).isEqualTo(new UrlPattern.LiteralForm("static/", false, true));
        assertThat(form("^chat/(?<room>[^/]+)/$")).isEqualTo(new UrlPattern.LiteralForm("chat/", false, true));
        assertThat(form("^ab?c$")).isEqualTo(new UrlPattern.LiteralForm("a", false, true));
        assertThat(form("^echo$|^other$")).isNull();
        assertThat(form("(?<room>[a-z]+)/$")).isNull();
        assertThat(form("x(?<room>[a-z]+)")).as("searched, so no required start").isNull();
    }

    /** Named groups still become the parameters, in the pattern's order; literal patterns have none. */
    @Test
    void parameters() {
        assertThat(UrlPattern.of("^chat/(?<room>[^/]+)/(?<id>\\d+)$", VIEW, null).match("/chat/lobby/7"))
                .contains(Map.of("room", "lobby", "id", "7"));
        assertThat(UrlPattern.of("^echo$", VIEW, null).match("/echo")).contains(Map.of());
        assertThat(UrlPattern.of("^(?<a>x)?y$", VIEW, null).match("/y")).contains(Map.of());
    }

    private static UrlPattern.LiteralForm form(String pattern) {
        return UrlPattern.LiteralForm.of(Pattern.compile(pattern));
    }
}
