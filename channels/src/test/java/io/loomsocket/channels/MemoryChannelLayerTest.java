package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@IntegrationTest
class MemoryChannelLayerTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    final List<ChannelLayer> layers = new ArrayList<>();

    ChannelLayer layer(ChannelLayerSettings s) {
        var l = new MemoryChannelLayer(s);
        layers.add(l);
        return l;
    }

    @AfterEach
    void closeLayers() { layers.forEach(ChannelLayer::close); }

    @Test
    void everyAttachedSocketHasAChannelNameAndReceivesWhatIsSentToIt() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults());
        var ws = new FakeWebSocket();
        Channel ch = layer.attach(ws);
        assertThat(ch.name()).matches("s\\.[a-z2-7]{12}!" + ws.id());
        assertThat(ws.attributes()).containsEntry(ChannelLayer.CHANNEL_NAME_ATTRIBUTE, ch.name());
        assertThat(layer.attach(ws)).isSameAs(ch);
        Thread.ofPlatform().start(() -> layer.send(ch.name(), Message.text("from another thread"))).join();
        layer.send(ch.name(), Message.binary(new byte[] {1, 2}));
        assertThat(ws.awaitSent(2, WAIT)).containsExactly(Message.text("from another thread"), Message.binary(new byte[] {1, 2}));
    }

    @Test
    void groupSendReachesEveryMemberInOrderAndDiscardStopsIt() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults());
        var a = new FakeWebSocket();
        var b = new FakeWebSocket();
        var outsider = new FakeWebSocket();
        layer.attach(a).groupAdd("room");
        Channel cb = layer.attach(b);
        cb.groupAdd("room");
        layer.attach(outsider);
        assertThat(layer.groupMembers("room")).containsExactlyInAnyOrder(a.attributes().get("channel_name").toString(), cb.name());
        for (int i = 0; i < 50; i++) layer.groupSend("room", Message.text("m" + i));
        var expected = IntStream.range(0, 50).mapToObj(i -> "m" + i).toList();
        assertThat(a.awaitSent(50, WAIT).stream().map(Message::text).toList()).isEqualTo(expected);
        assertThat(b.awaitSent(50, WAIT).stream().map(Message::text).toList()).isEqualTo(expected);
        cb.groupDiscard("room");
        layer.groupSend("room", Message.text("after"));
        a.awaitSent(51, WAIT);
        Thread.sleep(50);
        assertThat(b.sent()).hasSize(50);
        assertThat(outsider.sent()).isEmpty();
    }

    @Test
    void aSlowMemberNeverDelaysTheSenderOrTheOthersAndDropsOldest() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withOutboxCapacity(10));
        var slow = new FakeWebSocket();
        slow.block();
        var fast = new FakeWebSocket();
        Channel cs = layer.attach(slow);
        cs.groupAdd("g");
        layer.attach(fast).groupAdd("g");
        layer.groupSend("g", Message.text("first"));
        slow.firstSendStarted.await(); // the drainer is now stuck writing "first"
        long t0 = System.nanoTime();
        for (int round = 0; round < 100; round++) { // bursts of 5 fit the fast member's outbox
            for (int i = 0; i < 5; i++) layer.groupSend("g", Message.text("m" + (round * 5 + i)));
            fast.awaitSent(1 + (round + 1) * 5, WAIT); // the fast member keeps up while the slow one is stuck
        }
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMs).as("500 group sends with a stuck member").isLessThan(4000);
        assertThat(fast.texts()).hasSize(501).endsWith("m499");
        assertThat(cs.dropped()).isEqualTo(490); // 500 queued into 10 slots
        assertThat(layer.stats().dropped()).isEqualTo(490);
        slow.unblock();
        var got = slow.awaitSent(11, WAIT).stream().map(Message::text).toList();
        assertThat(got).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("first"), IntStream.range(490, 500).mapToObj(i -> "m" + i)).toList());
    }

    /**
     * The audit's attack: permessage-deflate lets a sender upload ~1 KiB per 1 MiB of zeros, and
     * every room relays each message to members that do not read. With the default 1 MiB outbox
     * bound each stuck member holds at most 1 MiB queued (plus the message being written), not
     * 100 messages of 1 MiB: the oldest are dropped.
     */
    @Test
    void outboxesAreBoundedInBytesSoMegabyteMessagesCannotPileUp() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults());
        assertThat(layer.settings().outboxMaxBytes()).isEqualTo(1 << 20);
        List<FakeWebSocket> stuck = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (String room : List.of("r1", "r2", "r3")) {
            var ws = new FakeWebSocket();
            ws.block();
            Channel ch = layer.attach(ws);
            ch.groupAdd(room);
            stuck.add(ws);
            channels.add(ch);
        }
        Message zeros = Message.binary(new byte[1 << 20]);
        for (String room : List.of("r1", "r2", "r3")) layer.groupSend(room, zeros);
        for (FakeWebSocket ws : stuck) ws.firstSendStarted.await(); // each drainer is writing one
        for (int i = 0; i < 20; i++) {
            for (String room : List.of("r1", "r2", "r3")) layer.groupSend(room, Message.binary(new byte[1 << 20]));
        }
        for (Channel ch : channels) {
            assertThat(ch.outbox.queuedBytes()).isLessThanOrEqualTo(1 << 20);
            assertThat(ch.dropped()).isEqualTo(19); // 20 queued into room for one
        }
        // small messages: up to the count bound (100) as long as the bytes fit
        for (int i = 0; i < 150; i++) layer.groupSend("r1", Message.text("small" + i));
        assertThat(channels.get(0).outbox.queued()).isEqualTo(100);
        for (FakeWebSocket ws : stuck) ws.unblock();
        assertThat(stuck.get(1).awaitSent(2, WAIT)).hasSize(2); // the one in flight and the newest
    }

    @Test
    void aByteBoundOverflowAppliesTheClosePolicy() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withOutboxMaxBytes(1000).withOverflowPolicy(OverflowPolicy.CLOSE_TRY_AGAIN_LATER));
        var slow = new FakeWebSocket();
        slow.block();
        Channel cs = layer.attach(slow);
        layer.send(cs.name(), Message.text("stuck"));
        slow.firstSendStarted.await();
        layer.send(cs.name(), Message.binary(new byte[600]));
        layer.send(cs.name(), Message.binary(new byte[600])); // 1,200 bytes: over the bound, 2 messages: within the count
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!slow.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(slow.closeCode()).hasValue(1013);
        assertThat(layer.stats().overflowClosed()).isEqualTo(1);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = OverflowPolicy.class, names = {"CLOSE_TRY_AGAIN_LATER", "CLOSE_POLICY_VIOLATION"})
    void closePoliciesCloseTheSlowMemberWithTheirCodeAndRemoveIt(OverflowPolicy policy) throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withOutboxCapacity(3).withOverflowPolicy(policy));
        var slow = new FakeWebSocket();
        slow.block();
        Channel cs = layer.attach(slow);
        cs.groupAdd("g");
        layer.groupSend("g", Message.text("stuck"));
        slow.firstSendStarted.await();
        for (int i = 0; i < 4; i++) layer.groupSend("g", Message.text("m" + i));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!slow.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(slow.closeCode()).hasValue(policy.closeCode());
        assertThat(cs.isClosed()).isTrue();
        assertThat(layer.groupMembers("g")).isEmpty();
        assertThat(layer.stats().overflowClosed()).isEqualTo(1);
        assertThat(layer.stats().dropped()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void membershipEndsWhenTheConnectionCloses() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withSweepInterval(Duration.ofMillis(50)));
        var ws = new FakeWebSocket();
        Channel ch = layer.attach(ws);
        ch.groupAdd("g");
        ws.close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ch.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(ch.isClosed()).as("swept").isTrue();
        assertThat(layer.groupMembers("g")).isEmpty();
        assertThat(layer.stats().channels()).isZero();
        assertThat(layer.stats().localGroups()).isZero();
        layer.send(ch.name(), Message.text("late"));
        assertThat(layer.stats().unknownChannel()).isEqualTo(1);
    }

    @Test
    void aSendToAClosedConnectionPurgesItAtOnce() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withSweepInterval(Duration.ofHours(1)));
        var ws = new FakeWebSocket();
        Channel ch = layer.attach(ws);
        ch.groupAdd("g");
        ws.close();
        layer.groupSend("g", Message.text("x")); // the drainer fails to write it and detaches
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ch.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(ch.isClosed()).isTrue();
        assertThat(layer.groupMembers("g")).isEmpty();
    }

    @Test
    void closingAChannelLeavesItsGroupsButNotTheSocket() {
        var layer = layer(ChannelLayerSettings.defaults());
        var ws = new FakeWebSocket();
        try (Channel ch = layer.attach(ws)) {
            ch.groupAdd("a");
            ch.groupAdd("b");
            assertThat(ch.groups()).containsExactlyInAnyOrder("a", "b");
        }
        assertThat(layer.groupMembers("a")).isEmpty();
        assertThat(ws.isClosed()).isFalse();
        assertThat(ws.attributes()).doesNotContainKey(ChannelLayer.CHANNEL_NAME_ATTRIBUTE);
    }

    @Test
    void badInputGetsClearErrors() {
        var layer = layer(ChannelLayerSettings.defaults().withMaxMessageBytes(10).withMaxGroupsPerChannel(2));
        var ws = new FakeWebSocket();
        Channel ch = layer.attach(ws);
        assertThatThrownBy(() -> layer.groupSend("bad name", Message.text("x"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group names");
        assertThatThrownBy(() -> layer.groupSend("g".repeat(100), Message.text("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layer.send("nobang", Message.text("x"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a channel name");
        assertThatThrownBy(() -> layer.groupSend("g", Message.text("x".repeat(11)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageBytes");
        assertThatThrownBy(() -> layer.groupAdd("g", "s.zzzzzzzzzzzz!nobody")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no channel");
        ch.groupAdd("a");
        ch.groupAdd("b");
        assertThatThrownBy(() -> ch.groupAdd("c")).isInstanceOf(IllegalStateException.class).hasMessageContaining("maxGroupsPerChannel");
        var closed = new FakeWebSocket();
        closed.close();
        assertThatThrownBy(() -> layer.attach(closed)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> ChannelLayers.fromSetting("mongodb://x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CHANNEL_LAYER");
        assertThatThrownBy(() -> ch.send(Message.text("x".repeat(11)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageBytes");
        assertThatThrownBy(() -> ChannelLayerSettings.defaults().withOutboxCapacity(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromSettingDefaultsToMemory() {
        for (String v : new String[] {null, "", " memory ", "MEMORY"}) {
            try (var l = ChannelLayers.fromSetting(v)) {
                assertThat(l).isInstanceOf(MemoryChannelLayer.class);
            }
        }
    }

    @Test
    void manySendersKeepTheirOwnOrder() throws Exception {
        var layer = layer(ChannelLayerSettings.defaults().withOutboxCapacity(10_000));
        var ws = new FakeWebSocket();
        layer.attach(ws).groupAdd("g");
        int senders = 4, each = 500;
        var threads = new ArrayList<Thread>();
        for (int s = 0; s < senders; s++) {
            int id = s;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) layer.groupSend("g", Message.text(id + ":" + i));
            }));
        }
        for (Thread t : threads) t.join();
        var got = ws.awaitSent(senders * each, WAIT).stream().map(Message::text).toList();
        for (int s = 0; s < senders; s++) {
            String prefix = s + ":";
            assertThat(got.stream().filter(t -> t.startsWith(prefix)).toList())
                    .isEqualTo(IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
        }
    }
}
