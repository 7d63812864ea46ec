package io.loomsocket.web;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How a setting's text is parsed and checked; each type says what form it expects. */
enum SettingType {
    STRING("text"),
    BOOLEAN("true or false"),
    INT("an integer"),
    PORT("a port number 0..65535"),
    SIZE("a size in bytes, e.g. 65536, 64KiB or 1MiB"),
    DURATION("a duration: seconds (10, 0.5) or with a unit (500ms, 10s, 2m)");

    private static final Pattern SIZE_FORM = Pattern.compile("([0-9]{1,18})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");
    private static final Pattern DURATION_FORM = Pattern.compile("([0-9]{1,12}(?:\\.[0-9]{1,9})?)\\s*(|ms|s|m|h)");

    final String expected;

    SettingType(String expected) {
        this.expected = expected;
    }

    /** Parses {@code text}; throws IllegalArgumentException (turned into a SettingsException by the caller). */
    Object parse(String text) {
        String t = text.strip();
        String l = t.toLowerCase(Locale.ROOT);
        return switch (this) {
            case STRING -> t;
            case BOOLEAN -> switch (l) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException();
            };
            case INT -> Integer.parseInt(t);
            case PORT -> {
                int p = Integer.parseInt(t);
                if (p < 0 || p > 65535) throw new IllegalArgumentException();
                yield p;
            }
            case SIZE -> {
                Matcher m = SIZE_FORM.matcher(l);
                if (!m.matches()) throw new IllegalArgumentException();
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "k", "kb", "kib" -> 1024L;
                    case "m", "mb", "mib" -> 1024L * 1024;
                    case "g", "gb", "gib" -> 1024L * 1024 * 1024;
                    default -> 1L;
                };
                yield Math.multiplyExact(n, unit);
            }
            case DURATION -> {
                Matcher m = DURATION_FORM.matcher(l);
                if (!m.matches()) throw new IllegalArgumentException();
                double v = Double.parseDouble(m.group(1));
                double nanos = switch (m.group(2)) {
                    case "ms" -> v * 1e6;
                    case "m" -> v * 60e9;
                    case "h" -> v * 3600e9;
                    default -> v * 1e9;
                };
                yield Duration.ofNanos(Math.round(nanos));
            }
        };
    }

    /** Accepts a typed value from code (or its text form); returns the canonical value. */
    Object coerce(Object value) {
        if (value instanceof String s) return parse(s);
        return switch (this) {
            case STRING -> value.toString();
            case BOOLEAN -> (Boolean) value;
            case INT -> Math.toIntExact(((Number) value).longValue());
            case PORT -> parse(value.toString());
            case SIZE -> ((Number) value).longValue();
            case DURATION -> (Duration) value;
        };
    }

    String format(Object value) {
        if (value instanceof Duration d) {
            long ms = d.toMillis();
            return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
        }
        return String.valueOf(value);
    }
}
