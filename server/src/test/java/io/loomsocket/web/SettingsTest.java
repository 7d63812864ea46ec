package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path p = dir.resolve("app.properties");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void defaultsAreSafeAndDocumented() {
        Settings s = Settings.defaults();
        assertThat(s.port()).isEqualTo(8000);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.webSocketAcceptAll()).isFalse();
        assertThat(s.duration("http.header_read_timeout")).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.bool("websocket.compression")).isTrue();
        assertThat(Settings.definitions()).allSatisfy(d -> {
            assertThat(d.description()).isNotBlank();
            assertThat(d.defaultText()).isNotBlank();
        });
        assertThat(Settings.definitions()).extracting(Settings.Definition::envName)
                .contains("PORT", "WEBSOCKET_ACCEPT_ALL", "HTTP_MAX_BODY_SIZE");
    }

    @Test
    void fileThenEnvironmentThenCode() throws IOException {
        Path f = file("port=9001\nhost=0.0.0.0\nwebsocket.accept_all=true\nhttp.max_body_size=64KiB\n");
        Settings fromFile = Settings.builder().propertiesFile(f).environment(Map.of()).build();
        assertThat(fromFile.port()).isEqualTo(9001);
        assertThat(fromFile.size("http.max_body_size")).isEqualTo(65536);
        assertThat(fromFile.webSocketAcceptAll()).isTrue();

        Settings withEnv = Settings.builder().propertiesFile(f)
                .environment(Map.of("PORT", "9002", "WEBSOCKET_ACCEPT_ALL", "false", "HTTP_PROXY", "ignored")).build();
        assertThat(withEnv.port()).isEqualTo(9002);
        assertThat(withEnv.webSocketAcceptAll()).isFalse();
        assertThat(withEnv.host()).isEqualTo("0.0.0.0");

        Settings withCode = Settings.builder().propertiesFile(f).environment(Map.of("PORT", "9002")).port(9003).build();
        assertThat(withCode.port()).isEqualTo(9003);
    }

    @Test
    void hostComesFromListenHostNotFromTheShellsHost() {
        // zsh and tcsh export HOST=<machine name>; it must not move the listen address
        Settings s = Settings.builder().environment(Map.of("HOST", "build-box-17")).build();
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(Settings.builder().environment(Map.of("LISTEN_HOST", "0.0.0.0")).build().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void valueFormsAndMappingOntoServerAndWebSocketConfig() {
        Settings s = Settings.builder().environment(Map.of(
                        "HTTP_HEADER_READ_TIMEOUT", "500ms", "HTTP_KEEP_ALIVE_TIMEOUT", "1.5",
                        "WEBSOCKET_MAX_MESSAGE_SIZE", "2MiB", "WEBSOCKET_PING_INTERVAL", "0", "WEBSOCKET_COMPRESSION", "FALSE"))
                .set("http.max_connections", 5).set("websocket.close_timeout", Duration.ofSeconds(3)).build();
        ServerOptions o = s.serverOptions();
        assertThat(o.headerReadTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.keepAliveTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.maxConnections()).isEqualTo(5);
        var ws = s.webSocketConfig();
        assertThat(ws.maxMessageSize()).isEqualTo(2 * 1024 * 1024);
        assertThat(ws.pingInterval()).isEqualTo(Duration.ZERO);
        assertThat(ws.compression()).isFalse();
        assertThat(ws.closeTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void compressionLevelReachesTheDeflaterSettingsAndIsChecked() {
        assertThat(Settings.defaults().webSocketConfig().compressionLevel()).isEqualTo(1);
        var ws = Settings.builder().environment(Map.of("WEBSOCKET_COMPRESSION_LEVEL", "6")).build().webSocketConfig();
        assertThat(ws.compressionLevel()).isEqualTo(6);
        assertThat(io.loomsocket.connection.WebSocketConnection.deflateConfig(ws).compressionLevel()).isEqualTo(6);
        var noCtx = Settings.builder().environment(Map.of("WEBSOCKET_COMPRESSION_CLIENT_CONTEXT_TAKEOVER", "false")).build().webSocketConfig();
        assertThat(io.loomsocket.connection.WebSocketConnection.deflateConfig(noCtx).peerContextTakeover()).isFalse();
        assertThat(io.loomsocket.connection.WebSocketConnection.deflateConfig(ws).peerContextTakeover()).isTrue();
        var bits = Settings.builder().environment(Map.of("WEBSOCKET_COMPRESSION_WINDOW_BITS", "9",
                "WEBSOCKET_COMPRESSION_CLIENT_WINDOW_BITS", "10")).build().webSocketConfig();
        assertThat(io.loomsocket.connection.WebSocketConnection.deflateConfig(bits).windowBits()).isEqualTo(9);
        assertThat(io.loomsocket.connection.WebSocketConnection.deflateConfig(bits).peerWindowBits()).isEqualTo(10);
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("WEBSOCKET_COMPRESSION_CLIENT_WINDOW_BITS", "8")).build()
                .webSocketConfig()).isInstanceOf(SettingsException.class).hasMessageContaining("compressionPeerWindowBits");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("WEBSOCKET_COMPRESSION_LEVEL", "10")).build()
                .webSocketConfig()).isInstanceOf(SettingsException.class).hasMessageContaining("compressionLevel");
    }

    @Test
    void unknownKeyInFileIsAnErrorWithASuggestion() throws IOException {
        Path f = file("websocket.accept_al=true\n");
        assertThatThrownBy(() -> Settings.builder().propertiesFile(f).environment(Map.of()).build())
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("websocket.accept_al").hasMessageContaining("did you mean 'websocket.accept_all'")
                .hasMessageContaining(f.toString());
    }

    @Test
    void unknownKeyInCodeIsAnError() {
        assertThatThrownBy(() -> Settings.builder().set("prot", 1))
                .isInstanceOf(SettingsException.class).hasMessageContaining("did you mean 'port'");
    }

    @Test
    void malformedValuesNameTheSettingTheSourceAndTheExpectedForm() throws IOException {
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("PORT", "eighty")).build())
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("'port'").hasMessageContaining("PORT").hasMessageContaining("0..65535");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("WEBSOCKET_ACCEPT_ALL", "yes")).build())
                .hasMessageContaining("true or false");
        Path f = file("http.header_read_timeout=soon\n");
        assertThatThrownBy(() -> Settings.builder().propertiesFile(f).environment(Map.of()).build())
                .hasMessageContaining("http.header_read_timeout").hasMessageContaining("duration");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("http.max_header_count", 0).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("maxHeaderCount");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("port", "70000").build())
                .isInstanceOf(SettingsException.class);
    }

    @Test
    void missingFileAndKeystoreAreClearErrors() {
        assertThatThrownBy(() -> Settings.builder().propertiesFile(dir.resolve("nope.properties")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("nope.properties");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("tls.keystore", dir.resolve("ks.p12").toString()).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("tls.keystore");
    }

    @Test
    void passwordsAndTheSecretKeyAreNotPrinted() {
        Settings s = Settings.builder().environment(Map.of("TLS_KEYSTORE_PASSWORD", "hunter2",
                "SECRET_KEY", "k3y-that-must-never-be-logged-0123456789")).build();
        assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("k3y-that").contains("secret_key=***");
    }

    @Test
    void theUserInfoOfAUrlValuedSettingIsNeverPrinted() {
        Settings s = Settings.builder().environment(Map.of("CHANNEL_LAYER", "redis://:hunter2@redis.internal:6379/0")).build();
        assertThat(s.toString()).doesNotContain("hunter2").contains("channel_layer=redis://***@redis.internal:6379/0");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("PORT", "http://u:hunter2@h/")).build())
                .isInstanceOf(SettingsException.class).hasMessageNotContaining("hunter2").hasMessageContaining("PORT");
        assertThat(Settings.withoutUserInfo("rediss://user:p@ss@h:1/2?x=a@b")).isEqualTo("rediss://***@h:1/2?x=a@b");
        assertThat(Settings.withoutUserInfo("memory")).isEqualTo("memory");
        assertThat(Settings.withoutUserInfo("https://h/a@b")).isEqualTo("https://h/a@b");
    }
}
