package io.loomsocket.engine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Coverage-guided fuzzing with Jazzer. In a normal test run (regression mode) each target runs
 * over its stored inputs only; {@code JAZZER_FUZZ=1 mvn -pl engine test -Dtest=JazzerFuzzTest}
 * fuzzes for the given duration. Only the documented failures may escape: ProtocolException
 * from the frame parser and assembler, nothing from the server handshake.
 */
class JazzerFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void assembler(FuzzedDataProvider data) {
        Role role = data.consumeBoolean() ? Role.SERVER : Role.CLIENT;
        boolean deflate = data.consumeBoolean();
        boolean streaming = data.consumeBoolean();
        int chunk = data.consumeInt(1, 64);
        byte[] input = data.consumeRemainingAsBytes();
        EngineConfig cfg = EngineConfig.defaults().withMaxFrameSize(4096).withMaxMessageSize(8192).withStreamChunkSize(64);
        PerMessageDeflate pmd = deflate ? PerMessageDeflate.of(role, new DeflateParams(true, true, 0, 0), DeflateConfig.DEFAULT) : null;
        MessageAssembler a = new MessageAssembler(role, cfg, pmd);
        a.setStreaming(streaming);
        ByteBuffer buf = ByteBuffer.allocate(input.length);
        try {
            for (int off = 0; off < input.length; off += chunk) {
                buf.put(input, off, Math.min(chunk, input.length - off)).flip();
                while (a.next(buf) != null) {
                    // drain
                }
                buf.compact();
            }
        } catch (ProtocolException expected) {
            // the documented failure
        } finally {
            if (pmd != null) {
                pmd.close();
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void serverHandshake(FuzzedDataProvider data) {
        HttpHeaders h = new HttpHeaders();
        String[] names = {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
                "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"};
        int n = data.consumeInt(0, 12);
        for (int i = 0; i < n; i++) {
            h.add(names[data.consumeInt(0, names.length - 1)], data.consumeString(80));
        }
        String method = data.consumeBoolean() ? "GET" : data.consumeString(8);
        ServerHandshake.Result r = new ServerHandshake(List.of("chat"), DeflateConfig.DEFAULT).handshake(method, "HTTP/1.1", h);
        if (r instanceof ServerHandshake.Accept a && a.subprotocol() != null && !h.tokens("Sec-WebSocket-Protocol").contains(a.subprotocol())) {
            throw new AssertionError("answered a subprotocol that was not offered");
        }
    }
}
