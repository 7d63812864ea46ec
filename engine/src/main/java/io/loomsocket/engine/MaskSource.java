package io.loomsocket.engine;

import java.security.SecureRandom;

/**
 * Supplies the 32-bit masking keys a client puts on its frames (RFC 6455 §5.3: "the masking key
 * MUST be derived from a strong source of entropy" and be unpredictable). Tests inject a fixed
 * source to get byte-exact output.
 *
 * <p>Implementations need not be thread-safe: each {@link FrameWriter} uses its source from one
 * thread at a time.
 */
@FunctionalInterface
public interface MaskSource {

    /** The next masking key; its 4 bytes go on the wire big-endian. */
    int nextMask();

    /**
     * Unpredictable keys from {@link SecureRandom}, drawn 64 bytes at a time so that masking a
     * small frame does not cost a call into the entropy source.
     */
    static MaskSource secureRandom() {
        return new SecureMaskSource();
    }

    /** Always the same key: for tests only (a fixed key defeats §10.3's cache-poisoning defence). */
    static MaskSource fixed(int key) {
        return () -> key;
    }

    /** The default key source for clients. */
    final class SecureMaskSource implements MaskSource {
        private static final SecureRandom RANDOM = new SecureRandom();
        private final byte[] pool = new byte[64];
        private int next = pool.length;

        private SecureMaskSource() {}

        @Override
        public int nextMask() {
            if (next == pool.length) {
                RANDOM.nextBytes(pool);
                next = 0;
            }
            int k = ((pool[next] & 0xFF) << 24) | ((pool[next + 1] & 0xFF) << 16)
                    | ((pool[next + 2] & 0xFF) << 8) | (pool[next + 3] & 0xFF);
            next += 4;
            return k;
        }
    }
}
