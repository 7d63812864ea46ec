package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.Test;

/** The received-message queue is bounded in bytes as well as in messages (websocket.max_queue_bytes). */
@IntegrationTest
class InboundQueueBytesTest {

    @Test
    void theByteBoundFillsTheQueueBeforeTheCountBound() throws InterruptedException {
        InboundQueue q = new InboundQueue(16, 1000);
        assertThat(q.put(new InboundQueue.Whole(Message.binary(new byte[600])))).isTrue();
        assertThat(q.isFull()).isFalse();
        assertThat(q.put(new InboundQueue.Whole(Message.text("x".repeat(600))))).isTrue(); // admitted below the bound: at most bound + one message
        assertThat(q.isFull()).as("1,200 bytes queued, bound 1,000, 2 of 16 messages").isTrue();
        q.discardWhenFull();
        assertThat(q.put(new InboundQueue.Whole(Message.binary(new byte[1])))).as("a full queue takes nothing more").isFalse();
        assertThat(q.poll()).isInstanceOfSatisfying(InboundQueue.Whole.class, w -> assertThat(w.message()).isInstanceOf(Message.Binary.class));
        assertThat(q.isFull()).isFalse();
        assertThat(q.put(new InboundQueue.Whole(Message.binary(new byte[1])))).isTrue();
    }

    @Test
    void anEmptyQueueTakesAMessageLargerThanTheBound() throws InterruptedException {
        InboundQueue q = new InboundQueue(16, 1000);
        assertThat(q.put(new InboundQueue.Whole(Message.binary(new byte[1 << 20])))).isTrue();
        assertThat(q.isFull()).isTrue();
    }

    @Test
    void theBackgroundReaderBlocksOnAFullByteBoundUntilTheApplicationTakes() throws Exception {
        InboundQueue q = new InboundQueue(16, 1000);
        q.put(new InboundQueue.Whole(Message.binary(new byte[1000])));
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                q.put(new InboundQueue.Whole(Message.binary(new byte[10])));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!q.producerBlocked() && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(q.producerBlocked()).isTrue();
        assertThat(q.poll()).isInstanceOfSatisfying(InboundQueue.Whole.class, w -> assertThat(w.message()).isInstanceOf(Message.Binary.class));
        producer.join(10_000);
        assertThat(q.size()).isEqualTo(1);
    }
}
