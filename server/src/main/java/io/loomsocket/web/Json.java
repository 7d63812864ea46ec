package io.loomsocket.web;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.Map;

/**
 * Writes JSON (RFC 8259) from maps, iterables, arrays, records, strings, numbers, booleans and
 * null; enough for {@link Response#json(Object)} without pulling in a JSON library.
 */
final class Json {
    /** Deepest nesting written; deeper (or a cycle) is an IllegalArgumentException. */
    static final int MAX_DEPTH = 64;

    private Json() {}

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, 0);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " (a cycle?)");
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(s, sb);
            case Character c -> string(c.toString(), sb);
            case Boolean b -> sb.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> throw new IllegalArgumentException("JSON has no " + d);
            case Float f when f.isNaN() || f.isInfinite() -> throw new IllegalArgumentException("JSON has no " + f);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    string(String.valueOf(e.getKey()), sb);
                    sb.append(':');
                    write(e.getValue(), sb, depth + 1);
                }
                sb.append('}');
            }
            case Iterable<?> it -> {
                sb.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) sb.append(',');
                    first = false;
                    write(o, sb, depth + 1);
                }
                sb.append(']');
            }
            case Record r -> {
                sb.append('{');
                RecordComponent[] comps = r.getClass().getRecordComponents();
                for (int i = 0; i < comps.length; i++) {
                    if (i > 0) sb.append(',');
                    string(comps[i].getName(), sb);
                    sb.append(':');
                    try {
                        comps[i].getAccessor().setAccessible(true);
                        write(comps[i].getAccessor().invoke(r), sb, depth + 1);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        throw new IllegalArgumentException("cannot read record component " + comps[i].getName(), e);
                    }
                }
                sb.append('}');
            }
            default -> {
                if (v.getClass().isArray()) {
                    sb.append('[');
                    for (int i = 0, n = Array.getLength(v); i < n; i++) {
                        if (i > 0) sb.append(',');
                        write(Array.get(v, i), sb, depth + 1);
                    }
                    sb.append(']');
                } else {
                    string(v.toString(), sb);
                }
            }
        }
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<' -> sb.append("\\u003c"); // safe inside a <script> block
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
