package io.loomsocket.channels;

import java.util.concurrent.atomic.LongAdder;

/** A layer's counters, shared with its outboxes (see {@link ChannelStats} for their meaning). */
final class Counters {
    final LongAdder queued = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder overflowClosed = new LongAdder();
    final LongAdder unknownChannel = new LongAdder();
    final LongAdder publishFailed = new LongAdder();
    final LongAdder remoteMissed = new LongAdder();
}
