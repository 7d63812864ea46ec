package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The realtime contract on the memory layer (one server), plus its ring's limits. */
@IntegrationTest
class RealtimeMemoryTest extends RealtimeContract {
    final MemoryChannelLayer layer = new MemoryChannelLayer(ChannelLayerSettings.defaults().withSweepInterval(Duration.ofMillis(20)).withOutboxCapacity(1000));

    @Override ChannelLayer a() { return layer; }

    @Override ChannelLayer b() { return layer; }

    @AfterEach
    void close() { layer.close(); }

    @Test
    void theRingIsBoundedInBytesAndSaysWhatItNoLongerKeeps() throws Exception {
        layer.keepHistory("b.", HistoryLimits.defaults().withMaxBytes(100));
        var ws = new FakeWebSocket();
        layer.attach(ws).groupAdd("b.r");
        for (int i = 0; i < 20; i++) layer.groupSend("b.r", Message.text("{\"n\":" + i + "}")); // ~25 bytes each with the id
        await(() -> numbers(ws).size() == 20, "all twenty live");
        String first = ids(ws).getFirst();
        var again = new FakeWebSocket();
        assertThat(layer.attach(again).resume("b.r", first, null)).isFalse();
        int kept = numbers(again).size();
        assertThat(kept).isBetween(1, 4); // 100 bytes hold at most four
        assertThat(numbers(again)).isEqualTo(numbers(ws).subList(20 - kept, 20));
    }

    @Test
    void anIdFromBeforeTheHistoryBeganIsNotComplete() throws Exception {
        layer.keepHistory("h.", HistoryLimits.defaults());
        var ws = new FakeWebSocket();
        assertThat(layer.attach(ws).resume("h.r", "1-0", null)).isFalse(); // e.g. an id from before a restart
        var ws2 = new FakeWebSocket();
        assertThatThrownBy(() -> layer.attach(ws2).resume("h.r", "nonsense", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layer.attach(ws2).resume("plain", null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keeps no history");
    }

    @Test
    void userIdentitiesAreChecked() {
        var ch = layer.attach(new FakeWebSocket());
        assertThatThrownBy(() -> ch.identify("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ch.identify("x".repeat(257))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxUserBytes");
        assertThatThrownBy(() -> ch.identify("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ch.track("room")).isInstanceOf(IllegalStateException.class).hasMessageContaining("identify");
        ch.identify("ünïcode user");
        assertThatThrownBy(() -> ch.identify("other")).isInstanceOf(IllegalStateException.class);
        assertThat(ch.track("room")).containsExactly("ünïcode user");
    }
}
