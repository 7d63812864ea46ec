package io.loomsocket.server;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out, IMF-fixdate and RFC 1123 forms in. */
public final class HttpDate {
    private HttpDate() {}

    /**
     * {@code Sun, 06 Nov 1994 08:49:37 GMT}: a two-digit day, English names whatever the
     * default locale. {@link DateTimeFormatter#RFC_1123_DATE_TIME} prints a one-digit day.
     */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** {@code t} as an IMF-fixdate, to the second. */
    public static String format(Instant t) {
        return IMF_FIXDATE.format(t);
    }

    /**
     * The instant an HTTP date names, or empty if it is not one; accepts a one-digit day as well
     * (RFC 9110 §5.6.7 asks recipients to be lenient).
     */
    public static Optional<Instant> parse(String text) {
        try {
            return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
