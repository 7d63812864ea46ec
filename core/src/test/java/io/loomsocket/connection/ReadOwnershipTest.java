package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.JvmProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who reads the socket (see {@link InboundQueue}'s read ownership): the receiving thread itself
 * while it waits in {@code receive()}, a background reader only while nobody receives.
 */
@IntegrationTest
@Timeout(60) // a lost hand-over would hang a receive, not fail it
class ReadOwnershipTest {
    private static final WebSocketConfig CONFIG = WebSocketConfig.builder().pingInterval(Duration.ZERO).build();
    private static final Pattern THREAD = Pattern.compile("(?s)\"name\": \"([^\"]*)\",.*?\"stack\": \\[(.*?)\\]");

    @Test
    void aReceiverWaitingInReceiveIsTheOnlyThreadOfItsConnection() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            BlockingQueue<Optional<Message>> got = new ArrayBlockingQueue<>(4);
            BlockingQueue<Optional<Message>> clientGot = new ArrayBlockingQueue<>(4);
            Thread receiver = Thread.ofVirtual().name("test-receiver").start(() -> {
                got.add(ws.server().receive());
                got.add(ws.server().receive());
            });
            Thread clientReceiver = Thread.ofVirtual().name("test-client-receiver").start(() -> {
                clientGot.add(ws.client().receive());
                clientGot.add(ws.client().receive());
            });
            // On a busy machine a receiver may start after the watch has given its connection a
            // background reader; a first message each way makes such a reader hand the reading over.
            waitUntilParked(receiver);
            waitUntilParked(clientReceiver);
            ws.client().send("first");
            ws.server().send("first");
            assertThat(got.poll(5, TimeUnit.SECONDS)).contains(Message.text("first"));
            assertThat(clientGot.poll(5, TimeUnit.SECONDS)).contains(Message.text("first"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((readerThreads(ws.server()) > 0 || readerThreads(ws.client()) > 0) && System.nanoTime() < deadline) Thread.sleep(10);
            waitUntilParked(receiver);
            waitUntilParked(clientReceiver);
            // now both wait in receive(): the watch must not start a reader for either in a few ticks
            Thread.sleep(5 * ReadWatch.TICK_MILLIS);
            List<String[]> threads = threads();
            assertThat(threads).noneMatch(t -> t[0].equals("loomsocket-reader-" + ws.server().id())
                    || t[0].equals("loomsocket-reader-" + ws.client().id()));
            String stack = threads.stream().filter(t -> t[0].equals("test-receiver")).findFirst().orElseThrow()[1];
            assertThat(stack).contains("Reader.readOnce").contains("NioSocketImpl.read");

            ws.client().send("hello");
            assertThat(got.poll(5, TimeUnit.SECONDS)).contains(Message.text("hello"));
            receiver.join(5000);
            ws.client().abort();
            clientReceiver.join(5000);
        }
    }

    @Test
    void aConnectionNobodyReceivesOnIsReadInTheBackgroundAndClosesCleanly() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            // the server side never receives: pings and the close must still be answered
            assertThat(ws.client().ping()).isLessThan(Duration.ofSeconds(2));
            ws.client().send("queued");
            ws.client().close();
            assertThat(ws.client().closeCode()).hasValue(1000);
            assertThat(ws.server().isClosed()).isTrue();
            assertThat(ws.server().receive()).contains(Message.text("queued")); // received before the close
            assertThat(ws.server().receive()).isEmpty();
        }
    }

    @Test
    void aReceiverTakesTheReadingBackFromTheBackgroundReader() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            assertThat(ws.server().read()).isEmpty(); // a non-blocking poll starts the background reader
            assertThat(readerThreads(ws.server())).isEqualTo(1);
            AtomicReference<Optional<Message>> first = new AtomicReference<>();
            Thread receiver = Thread.ofVirtual().start(() -> {
                first.set(ws.server().receive());
                ws.server().receive(); // waits again: now reading by itself
            });
            waitUntilParked(receiver);
            ws.client().send("one"); // the background reader delivers it and hands over
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((first.get() == null || readerThreads(ws.server()) > 0) && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(first.get()).contains(Message.text("one"));
            assertThat(readerThreads(ws.server())).isZero();
            ws.client().send("two");
            receiver.join(5000);
            assertThat(receiver.isAlive()).isFalse();
        }
    }

    @Test
    void timedReceivesAndStreamsAreServedByTheBackgroundReader() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            for (int i = 0; i < 20; i++) {
                ws.client().send("t" + i);
                assertThat(ws.server().receive(Duration.ofSeconds(5))).contains(Message.text("t" + i));
                ws.server().send("r" + i);
                assertThat(ws.client().receive(Duration.ofSeconds(5))).contains(Message.text("r" + i));
            }
            assertThatThrownBy(() -> ws.server().receive(Duration.ofMillis(50)))
                    .isInstanceOf(io.loomsocket.WebSocketTimeoutException.class);
            ws.client().send("after a timeout");
            assertThat(ws.server().receive()).contains(Message.text("after a timeout"));
            ws.client().send(new byte[] {1, 2, 3});
            try (var in = ws.server().receiveStream().orElseThrow()) {
                assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
            }
        }
    }

    @Test
    void aReplyLeftToTheReceivingThreadIsFlushedEvenIfItStopsReceiving() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            ws.client().send("a");
            ws.client().send("b");
            Thread.sleep(100); // both on the server's socket: its first read takes both
            AtomicReference<Integer> queuedAtSend = new AtomicReference<>();
            CountDownLatch computing = new CountDownLatch(1);
            Thread view = Thread.ofVirtual().start(() -> {
                ws.server().receive();
                queuedAtSend.set(ws.server().queue().size());
                ws.server().send("reply to a"); // more is queued and this thread reads: the flush is left to it
                try {
                    computing.await(); // ... but it computes instead of receiving
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ws.server().receive();
            });
            long t0 = System.nanoTime();
            assertThat(ws.client().receive(Duration.ofSeconds(2))).contains(Message.text("reply to a"));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            computing.countDown();
            view.join(5000);
            assertThat(queuedAtSend.get()).as("the reply was sent with a message queued").isEqualTo(1);
            assertThat(waitedMs).as("flushed by the ReadWatch tick, not by the next receive").isLessThan(1000);
        }
    }

    @Test
    void afterAHandOverAViewThatStopsReceivingIsStillReadInTheBackground() throws Exception {
        WebSocketConfig client = CONFIG.toBuilder().pingTimeout(Duration.ofSeconds(2)).build();
        try (var ws = Pair.webSockets(CONFIG, client, null)) {
            assertThat(ws.server().read()).isEmpty(); // the background reader runs
            CountDownLatch computing = new CountDownLatch(1);
            Thread view = Thread.ofVirtual().start(() -> {
                ws.server().receive(); // waits for the hand-over, gets "one"
                try {
                    computing.await(); // then computes instead of receiving
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waitUntilParked(view);
            ws.client().send("one");
            Thread.sleep(5 * ReadWatch.TICK_MILLIS);
            // the ReadWatch must have taken the connection again and started a reader: the ping is answered
            assertThat(ws.client().ping()).isLessThan(Duration.ofSeconds(2));
            computing.countDown();
            view.join(5000);
        }
    }

    @Test
    void aFullQueueHoldsBackTheRestOfAReadWithoutLosingOrReordering() throws Exception {
        WebSocketConfig small = CONFIG.toBuilder().maxQueue(2).build();
        try (var ws = Pair.webSockets(small, CONFIG, null)) {
            int n = 2_000;
            Thread sender = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n; i++) ws.client().send("m" + i); // many messages per read
            });
            for (int i = 0; i < n; i++) {
                assertThat(ws.server().queue().size()).isLessThanOrEqualTo(2);
                assertThat(ws.server().receive()).contains(Message.text("m" + i));
                if (i % 500 == 0) Thread.sleep(3 * ReadWatch.TICK_MILLIS); // away: the background reader takes over
            }
            sender.join(5000);
        }
    }

    @Test
    void interruptingAReceiverThatReadsClosesTheConnection() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    ws.server().receive();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            waitUntilParked(receiver);
            receiver.interrupt();
            receiver.join(5000);
            assertThat(thrown.get()).isInstanceOf(WebSocketException.class).hasMessageContaining("interrupted");
            assertThat(ws.server().isClosed()).as("state %s", ws.server().state()).isTrue();
            assertThatThrownBy(() -> ws.server().send("x")).isInstanceOf(WebSocketException.class);
        }
    }

    /** A receiver that waits for the background reader (a timed receive never reads itself) is closed by an interrupt too. */
    @Test
    void interruptingAReceiverThatWaitsForTheBackgroundReaderClosesTheConnection() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    ws.server().receive(Duration.ofMinutes(1));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            waitUntilParked(receiver);
            receiver.interrupt();
            receiver.join(5000);
            assertThat(thrown.get()).isInstanceOf(WebSocketException.class).hasMessageContaining("interrupted");
            assertThat(ws.server().isClosed()).as("state %s", ws.server().state()).isTrue();
            assertThat(ws.server().closeCode()).hasValue(1006);
        }
    }

    private static void waitUntilParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(50);
    }

    private static long readerThreads(WebSocketConnection c) throws Exception {
        return threads().stream().filter(t -> t[0].equals("loomsocket-reader-" + c.id())).count();
    }

    /** Name and stack of every thread, virtual ones included ({@code jcmd PID Thread.dump_to_file -format=json}). */
    private static List<String[]> threads() {
        Matcher m = THREAD.matcher(JvmProbe.threadDump(JvmProbe.self()));
        List<String[]> out = new ArrayList<>();
        while (m.find()) out.add(new String[] {m.group(1), m.group(2)});
        assertThat(out).isNotEmpty();
        return out;
    }
}
