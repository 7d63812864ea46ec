package io.loomsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebSocketConfigTest {

    @Test
    void defaultsAreTheDocumentedSafeOnes() {
        WebSocketConfig c = WebSocketConfig.defaults();
        assertThat(c.maxMessageSize()).isEqualTo(1 << 20);
        assertThat(c.maxFrameSize()).isEqualTo(1 << 20);
        assertThat(c.maxQueue()).isEqualTo(16);
        assertThat(c.writeBufferSize()).isEqualTo(64 << 10);
        assertThat(c.readBufferSize()).isEqualTo(64 << 10);
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.compression()).isTrue();
        assertThat(c.compressionThreshold()).isEqualTo(128);
        assertThat(c.compressionContextTakeover()).isTrue();
        assertThat(c.compressionClientContextTakeover()).isTrue();
        assertThat(c.compressionWindowBits()).isEqualTo(12);
        assertThat(c.compressionPeerWindowBits()).isEqualTo(12);
        assertThatThrownBy(() -> WebSocketConfig.builder().compressionPeerWindowBits(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketConfig.builder().compressionWindowBits(16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFrameLimitFollowsTheMessageLimitUnlessSetAndNeverExceedsIt() {
        assertThat(WebSocketConfig.builder().maxMessageSize(8 << 20).build().maxFrameSize()).isEqualTo(8 << 20);
        assertThat(WebSocketConfig.builder().maxMessageSize(8 << 20).maxFrameSize(64 << 10).build().maxFrameSize())
                .isEqualTo(64 << 10);
        assertThat(WebSocketConfig.builder().maxFrameSize(4 << 20).maxMessageSize(1 << 20).build().maxFrameSize())
                .isEqualTo(1 << 20);
        assertThat(WebSocketConfig.builder().maxMessageSize(10).build().maxFrameSize()).isEqualTo(125);
        WebSocketConfig c = WebSocketConfig.builder().maxMessageSize(2 << 20).build();
        assertThat(c.toBuilder().maxMessageSize(4 << 20).build().maxFrameSize()).isEqualTo(4 << 20);
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> WebSocketConfig.builder().maxQueue(0)).hasMessageContaining("maxQueue");
        assertThatThrownBy(() -> WebSocketConfig.builder().maxFrameSize(100)).hasMessageContaining("maxFrameSize");
        assertThatThrownBy(() -> WebSocketConfig.builder().closeTimeout(Duration.ZERO)).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> WebSocketConfig.builder().pingInterval(Duration.ofSeconds(-1)))
                .hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> WebSocketConfig.builder().writeBufferSize(10)).hasMessageContaining("writeBufferSize");
        assertThat(WebSocketConfig.builder().pingInterval(Duration.ZERO).build().pingInterval()).isZero();
    }
}
