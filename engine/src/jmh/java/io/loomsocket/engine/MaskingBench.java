package io.loomsocket.engine;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** RFC 6455 §5.3 masking: the engine's eight-bytes-at-a-time XOR against a byte-by-byte loop. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MaskingBench {
    @Param({"64", "1024", "65536"})
    int size;

    byte[] data;
    final int key = 0x37fa213d;

    @Setup
    public void setup() {
        data = new byte[size];
        new Random(1).nextBytes(data);
    }

    @Benchmark
    public byte[] longWise() {
        Masking.mask(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] byteWise() {
        byte[] k = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
        for (int i = 0; i < data.length; i++) {
            data[i] ^= k[i & 3];
        }
        return data;
    }
}
