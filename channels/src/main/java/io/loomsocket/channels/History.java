package io.loomsocket.channels;

import io.loomsocket.Message;

import java.util.function.BiFunction;

/** One {@link ChannelLayer#keepHistory} rule: the groups it covers, its limits and how ids are put into messages. */
record History(String prefix, HistoryLimits limits, BiFunction<String, Message, Message> stamp) {
    Message stamped(MessageId id, Message m) { return stamp.apply(id.toString(), m); }
}
