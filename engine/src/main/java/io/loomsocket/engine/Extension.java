package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One element of a {@code Sec-WebSocket-Extensions} header (RFC 6455 §9.1): an extension name
 * with its parameters, e.g. {@code permessage-deflate; client_max_window_bits=10}.
 *
 * @param name   extension token, e.g. {@code permessage-deflate}
 * @param params parameters in order; a parameter without a value has a null value
 */
public record Extension(String name, List<Param> params) {

    /** One extension parameter; {@code value} is null for a bare token, unquoted otherwise. */
    public record Param(String name, String value) {}

    public Extension {
        params = List.copyOf(params);
    }

    /**
     * Parses every value of a {@code Sec-WebSocket-Extensions} header (RFC 6455 §9.1 grammar:
     * {@code 1#(token *(";" token ["=" (token | quoted-string)]))}).
     *
     * @throws IllegalArgumentException on a syntax error
     */
    public static List<Extension> parse(List<String> headerValues) {
        List<Extension> out = new ArrayList<>();
        for (String v : headerValues) {
            new Tokenizer(v).parseList(out);
        }
        return out;
    }

    /** The header form: {@code name; p1; p2=v}. Values that are not tokens are quoted. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        for (Param p : params) {
            sb.append("; ").append(p.name);
            if (p.value != null) {
                sb.append('=').append(Tokenizer.isToken(p.value) ? p.value : "\"" + p.value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
        }
        return sb.toString();
    }

    private static final class Tokenizer {
        private final String s;
        private int i;

        Tokenizer(String s) {
            this.s = s;
        }

        static boolean isTokenChar(char c) {
            return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }

        static boolean isToken(String t) {
            if (t.isEmpty()) {
                return false;
            }
            for (int k = 0; k < t.length(); k++) {
                if (!isTokenChar(t.charAt(k))) {
                    return false;
                }
            }
            return true;
        }

        void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        String token() {
            int start = i;
            while (i < s.length() && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("expected a token at index " + start + " of \"" + s + "\"");
            }
            return s.substring(start, i);
        }

        String quoted() {
            StringBuilder sb = new StringBuilder();
            i++; // opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (i == s.length()) {
                        break;
                    }
                    c = s.charAt(i++);
                }
                sb.append(c);
            }
            throw new IllegalArgumentException("unterminated quoted string in \"" + s + "\"");
        }

        void parseList(List<Extension> out) {
            skipSpace();
            while (i < s.length()) {
                if (s.charAt(i) == ',') { // empty list elements are allowed (RFC 9110 §5.6.1)
                    i++;
                    skipSpace();
                    continue;
                }
                String name = token();
                List<Param> params = new ArrayList<>();
                skipSpace();
                while (i < s.length() && s.charAt(i) == ';') {
                    i++;
                    skipSpace();
                    String pn = token();
                    String pv = null;
                    skipSpace();
                    if (i < s.length() && s.charAt(i) == '=') {
                        i++;
                        skipSpace();
                        if (i < s.length() && s.charAt(i) == '"') {
                            pv = quoted();
                            // RFC 6455 §9.1: a quoted value must still be a token after unquoting
                            if (!isToken(pv)) {
                                throw new IllegalArgumentException("quoted parameter value is not a token: \"" + pv + "\"");
                            }
                        } else {
                            pv = token();
                        }
                        skipSpace();
                    }
                    params.add(new Param(pn, pv));
                }
                out.add(new Extension(name, params));
                if (i < s.length()) {
                    if (s.charAt(i) != ',') {
                        throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at index " + i + " of \"" + s + "\"");
                    }
                    i++;
                    skipSpace();
                }
            }
        }
    }
}
