package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** UTF-8 validation of 16 KiB: the engine's DFA against the JDK's strict decoder (which also decodes). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Utf8Bench {
    @Param({"ascii", "mixed"})
    String kind;

    byte[] data;
    final Utf8Validator validator = new Utf8Validator();
    final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    @Setup
    public void setup() {
        String unit = kind.equals("ascii") ? "The quick brown fox jumps over the lazy dog. "
                : "Grüße, κόσμε, 世界, 😀 and some ASCII too. ";
        StringBuilder sb = new StringBuilder();
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 16384) {
            sb.append(unit);
        }
        data = sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public boolean dfa() {
        validator.reset();
        return validator.update(data, 0, data.length) < 0 && validator.isComplete();
    }

    @Benchmark
    public Object jdkStrictDecoder() throws CharacterCodingException {
        return decoder.reset().decode(ByteBuffer.wrap(data));
    }
}
