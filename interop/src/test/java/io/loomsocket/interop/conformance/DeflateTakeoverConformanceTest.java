package io.loomsocket.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.interop.servers.OurServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 7692 §7.1.1 with the server keeping its LZ77 window between messages
 * ({@code websocket.compression_context_takeover=true}): the server then honours exactly the
 * no-context-takeover parameters the client asks for, and its 2nd and 3rd echoes of the same
 * message refer back to the 1st (decoded here with one long-lived Inflater).
 */
@IntegrationTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeflateTakeoverConformanceTest {

    static OurServer server;

    @BeforeAll
    static void start() throws IOException {
        server = OurServer.start(Map.of("websocket.compression_context_takeover", true,
            "websocket.ping_interval", Duration.ZERO));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @ParameterizedTest(name = "§7.1.1 offer \"{0}\" with server takeover on: server_no_context_takeover={1}")
    @CsvSource(delimiter = '|', value = {
        "|false", "; client_no_context_takeover|false", "; server_no_context_takeover|true",
        "; server_no_context_takeover; client_no_context_takeover|true", "; client_max_window_bits|false"})
    void takeover(String offer, boolean serverNoTakeover) throws IOException, DataFormatException {
        try (RawClient c = RawClient.open(server.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate" + (offer == null ? "" : offer))) {
            Map<String, String> p = DeflateConformanceTest.accepted(c);
            assertThat(p).isNotNull();
            assertThat(p.containsKey("server_no_context_takeover")).isEqualTo(serverNoTakeover);
            boolean clientTakeover = !p.containsKey("client_no_context_takeover") && !p.containsKey("client_max_window_bits");
            DeflateConformanceTest.exchange(c, clientTakeover, !serverNoTakeover, true);
            c.closeNormally();
        }
    }
}
