package io.loomsocket.channels;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bound of commands and bytes in flight, with futures completed by hand. */
class InFlightLimitTest {

    @Test
    void sendsHaveAReserveThatOtherCommandsCannotTake() {
        var limit = new InFlightLimit("test", 4, 1, 1000, Duration.ofMillis(50), Duration.ofMillis(50));
        var pending = new ArrayList<CompletableFuture<Void>>();
        for (int i = 0; i < 3; i++) assertThat(limit.offer(() -> add(pending))).isTrue();
        assertThat(limit.offer(() -> add(pending))).isFalse(); // the shared permits are all taken
        assertThat(limit.offerSend(10, () -> add(pending))).isTrue(); // the reserve
        assertThat(limit.offerSend(10, () -> add(pending))).isFalse();
        assertThat(limit.inFlight()).isEqualTo(4);
        pending.getFirst().complete(null); // an answer gives its permit back
        assertThat(limit.offer(() -> add(pending))).isTrue();
    }

    @Test
    void sendsAreBoundedByTheirBytesTooAndALargerOneTakesTheWholeBound() {
        var limit = new InFlightLimit("test", 100, 25, 1000, Duration.ofMillis(50), Duration.ofMillis(50));
        var pending = new ArrayList<CompletableFuture<Void>>();
        assertThat(limit.offerSend(600, () -> add(pending))).isTrue();
        assertThat(limit.offerSend(600, () -> add(pending))).isFalse();
        assertThat(limit.offerSend(400, () -> add(pending))).isTrue();
        pending.forEach(f -> f.complete(null));
        assertThat(limit.offerSend(5000, () -> add(pending))).isTrue();
        assertThat(limit.offerSend(1, () -> add(pending))).isFalse();
        assertThat(limit.inFlight()).isEqualTo(1);
    }

    @Test
    void aWaitingCommandGivesUpAfterTheTimeoutWithTheLimitsName() {
        var limit = new InFlightLimit("test", 2, 1, 1000, Duration.ofMillis(50), Duration.ofMillis(50));
        var pending = new ArrayList<CompletableFuture<Void>>();
        assertThat(limit.offer(() -> add(pending))).isTrue();
        assertThatThrownBy(() -> limit.issue(() -> { throw new AssertionError("issued without room"); }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("redisRequestQueue");
    }

    @Test
    void aCommandThatThrowsWhenIssuedGivesItsPermitBack() {
        var limit = new InFlightLimit("test", 2, 1, 1000, Duration.ofMillis(50), Duration.ofMillis(50));
        assertThatThrownBy(() -> limit.offerSend(10, () -> { throw new IllegalStateException("refused"); })).hasMessage("refused");
        assertThat(limit.inFlight()).isZero();
    }

    private static CompletableFuture<Void> add(ArrayList<CompletableFuture<Void>> pending) {
        var f = new CompletableFuture<Void>();
        pending.add(f);
        return f;
    }
}
