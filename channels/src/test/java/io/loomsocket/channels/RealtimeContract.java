package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence, history with resume and messages to users, the same for every layer: {@link #a()}
 * and {@link #b()} stand for two servers (the same layer for the memory one).
 */
@IntegrationTest
abstract class RealtimeContract {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Pattern N = Pattern.compile("\\{\"id\":\"(\\d+-\\d+)\",\"n\":(\\d+)}");

    abstract ChannelLayer a();

    abstract ChannelLayer b();

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static Channel user(ChannelLayer layer, FakeWebSocket ws, String user) {
        Channel ch = layer.attach(ws);
        ch.identify(user);
        return ch;
    }

    static List<Integer> numbers(FakeWebSocket ws) {
        var out = new ArrayList<Integer>();
        for (String t : ws.texts()) {
            var m = N.matcher(t);
            if (m.matches()) out.add(Integer.parseInt(m.group(2)));
        }
        return out;
    }

    static List<String> ids(FakeWebSocket ws) {
        var out = new ArrayList<String>();
        for (String t : ws.texts()) {
            var m = N.matcher(t);
            if (m.matches()) out.add(m.group(1));
        }
        return out;
    }

    static Message n(int i) { return Message.text("{\"n\":" + i + "}"); }

    static final String JOIN_ALICE = "{\"type\":\"join\",\"user\":\"alice\"}";
    static final String LEAVE_ALICE = "{\"type\":\"leave\",\"user\":\"alice\"}";

    @Test
    void presenceIsPerUserAcrossServersWithJoinAndLeaveEvents() throws Exception {
        var bob = new FakeWebSocket();
        assertThat(user(b(), bob, "bob").track("room")).containsExactly("bob");
        var alice1 = new FakeWebSocket();
        var alice2 = new FakeWebSocket();
        Channel a1 = user(a(), alice1, "alice");
        assertThat(a1.track("room")).containsExactly("alice", "bob");
        await(() -> bob.texts().contains(JOIN_ALICE), "bob sees alice join");
        assertThat(user(b(), alice2, "alice").track("room")).containsExactly("alice", "bob"); // her second connection
        assertThat(a().presence("room")).containsExactly("alice", "bob").isEqualTo(b().presence("room"));

        alice1.close(); // one of her two connections goes: she is still there
        await(a1::isClosed, "alice's first connection detached (the sweeper finds it closed)");
        assertThat(b().presence("room")).containsExactly("alice", "bob");
        alice2.close();
        await(() -> bob.texts().contains(LEAVE_ALICE), "bob sees alice leave");
        assertThat(a().presence("room")).containsExactly("bob");
        assertThat(bob.texts()).containsExactly(JOIN_ALICE, LEAVE_ALICE); // one join, one leave
        assertThat(alice1.texts()).isEmpty(); // no event about herself
    }

    @Test
    void keptMessagesReachEveryMemberOnEveryServerInOneOrderWithIncreasingIds() throws Exception {
        a().keepHistory("hist.", HistoryLimits.defaults());
        b().keepHistory("hist.", HistoryLimits.defaults());
        var members = List.of(new FakeWebSocket(), new FakeWebSocket(), new FakeWebSocket(), new FakeWebSocket());
        for (int i = 0; i < members.size(); i++) (i % 2 == 0 ? a() : b()).attach(members.get(i)).groupAdd("hist.room");
        int n = 200;
        Thread ta = Thread.ofVirtual().start(() -> { for (int i = 0; i < n; i++) a().groupSend("hist.room", n(i)); });
        Thread tb = Thread.ofVirtual().start(() -> { for (int i = n; i < 2 * n; i++) b().groupSend("hist.room", n(i)); });
        ta.join();
        tb.join();
        for (var ws : members) await(() -> numbers(ws).size() == 2 * n, "all kept messages at " + ws.id());
        List<Integer> order = numbers(members.getFirst());
        for (var ws : members) assertThat(numbers(ws)).isEqualTo(order); // the same order everywhere
        assertThat(order).doesNotHaveDuplicates();
        List<String> ids = ids(members.getFirst());
        for (int i = 1; i < ids.size(); i++) assertThat(MessageId.parse(ids.get(i))).isGreaterThan(MessageId.parse(ids.get(i - 1)));
        assertThat(order.stream().filter(i -> i < n).toList()).isSorted(); // each sender's order kept
    }

    @Test
    void aMemberThatResumesGetsExactlyWhatItMissedThenTheLiveMessages() throws Exception {
        a().keepHistory("hist.", HistoryLimits.defaults());
        b().keepHistory("hist.", HistoryLimits.defaults());
        var stays = new FakeWebSocket(); // keeps the group read on b while the others resume
        b().attach(stays).groupAdd("hist.r");
        var first = new FakeWebSocket();
        b().attach(first).groupAdd("hist.r");
        for (int i = 0; i < 10; i++) a().groupSend("hist.r", n(i));
        await(() -> numbers(first).size() == 10, "the first ten");
        int total = 600;
        var sender = Thread.ofVirtual().start(() -> { // paced, so that resumes happen while the group is live
            for (int i = 10; i < total; i++) {
                a().groupSend("hist.r", n(i));
                if (i % 4 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        // each resumer takes over from what the previous one saw, while messages keep coming
        var resumers = new ArrayList<FakeWebSocket>();
        var starts = new ArrayList<Integer>();
        var markers = new ArrayList<String>();
        FakeWebSocket previous = first;
        for (int k = 0; k < 10 && sender.isAlive(); k++) {
            var seen = ids(previous);
            int at = seen.size() / 2;
            var ws = new FakeWebSocket();
            String marker = "{\"type\":\"resumed\",\"k\":" + k + "}";
            boolean complete = b().attach(ws).resume("hist.r", seen.get(at), c -> Message.text(marker));
            assertThat(complete).isTrue();
            resumers.add(ws);
            starts.add(numbers(previous).get(at) + 1);
            markers.add(marker);
            previous = ws;
            Thread.sleep(15);
        }
        sender.join();
        for (int k = 0; k < resumers.size(); k++) {
            var ws = resumers.get(k);
            await(() -> numbers(ws).contains(total - 1), "the last message at resumer " + ws.id());
            Thread.sleep(20);
            assertThat(numbers(ws)).as("resumer " + k).isEqualTo(IntStream.range(starts.get(k), total).boxed().toList()); // no gap, no duplicate
            assertThat(ws.texts()).contains(markers.get(k));
        }
        assertThat(numbers(stays)).isEqualTo(IntStream.range(0, total).boxed().toList());
    }

    @Test
    void aResumeFromBeyondWhatIsKeptSaysSo() throws Exception {
        a().keepHistory("small.", HistoryLimits.defaults().withMaxMessages(3));
        b().keepHistory("small.", HistoryLimits.defaults().withMaxMessages(3));
        var first = new FakeWebSocket();
        Channel ch = a().attach(first);
        ch.groupAdd("small.r");
        a().groupSend("small.r", n(0));
        await(() -> numbers(first).size() == 1, "the first");
        String id0 = ids(first).getFirst();
        ch.close();
        for (int i = 1; i < 10; i++) a().groupSend("small.r", n(i));
        var again = new FakeWebSocket();
        var probe = new FakeWebSocket();
        b().attach(probe).groupAdd("small.r");
        a().groupSend("small.r", n(10));
        await(() -> numbers(probe).contains(10), "the tenth");
        assertThat(b().attach(again).resume("small.r", id0, c -> Message.text("complete=" + c))).isFalse();
        await(() -> again.texts().contains("complete=false"), "the marker");
        assertThat(numbers(again)).containsExactly(8, 9, 10); // what is still kept
        var fromNow = new FakeWebSocket();
        assertThat(b().attach(fromNow).resume("small.r", ids(probe).getLast(), c -> Message.text("complete=" + c))).isTrue();
    }

    @Test
    void aMessageToAUserReachesEachOfItsConnectionsOnEveryServerAndNobodyElse() throws Exception {
        var bobA = new FakeWebSocket();
        var bobB = new FakeWebSocket();
        var carol = new FakeWebSocket();
        user(a(), bobA, "bob");
        user(b(), bobB, "bob");
        user(b(), carol, "carol");
        await(() -> { // subscriptions of other servers are asynchronous: probe until both have it
            a().sendToUser("bob", Message.text("probe"));
            return bobA.texts().contains("probe") && bobB.texts().contains("probe");
        }, "both of bob's connections reachable");
        b().sendToUser("bob", Message.text("hi bob"));
        await(() -> bobA.texts().contains("hi bob") && bobB.texts().contains("hi bob"), "both of bob's connections");
        assertThat(carol.texts()).isEmpty();
    }
}
