package io.loomsocket.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** CHANNEL_LAYER values: a malformed one is a clear error that never prints the Redis password. */
class ChannelLayersTest {

    @Test
    void aMalformedValueIsAnErrorWithoutItsPassword() {
        assertThatThrownBy(() -> ChannelLayers.fromSetting("reddis://:hunter2@redis.internal:6379/0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHANNEL_LAYER must be 'memory', a redis:// URI")
                .hasMessageContaining("reddis://***@redis.internal:6379/0")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ChannelLayers.fromSetting("redis://user:hunter2@redis.internal:6379/zero"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed Redis URL 'redis://***@redis.internal:6379/zero'")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void userInfoIsCutWhereverTheUrlIsMalformed() {
        assertThat(ChannelLayers.withoutUserInfo("redis://:p@ss@h:1/0")).isEqualTo("redis://***@h:1/0");
        assertThat(ChannelLayers.withoutUserInfo("redis:/:pw@h")).isEqualTo("redis:/***@h");
        assertThat(ChannelLayers.withoutUserInfo("redis:pw@h")).isEqualTo("redis:***@h");
        assertThat(ChannelLayers.withoutUserInfo("redis://h:6379/0?x=a@b")).isEqualTo("redis://h:6379/0?x=a@b");
        assertThat(ChannelLayers.withoutUserInfo("memory")).isEqualTo("memory");
    }
}
