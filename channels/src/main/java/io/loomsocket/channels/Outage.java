package io.loomsocket.channels;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An interval during which the Redis layer could not reach Redis: messages meant for other
 * servers in it were not delivered there (local delivery went on).
 *
 * @param start when the connection was found down
 * @param end when it was back, or empty while it is still down
 * @param undelivered publishes (group sends, sends to other servers' channels) that failed in it
 */
public record Outage(Instant start, Optional<Instant> end, long undelivered) {
    public Duration duration() { return Duration.between(start, end.orElseGet(Instant::now)); }

    @Override
    public String toString() {
        return "Redis outage from " + start + " to " + end.map(Instant::toString).orElse("(ongoing)")
                + " (" + duration().toMillis() + " ms, " + undelivered + " messages not delivered to other servers)";
    }
}
