package io.loomsocket.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayerSettings;
import io.loomsocket.web.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code channels.outbox_max_bytes} reaches the layer the demo builds, with the channels module's default. */
class ChatLayerSettingsTest {

    @Test
    void theSettingsDefaultIsTheLayersDefault() {
        try (ChannelLayer layer = ChatViews.layerFrom(Settings.defaults())) {
            assertThat(layer.settings().outboxMaxBytes()).isEqualTo(ChannelLayerSettings.DEFAULT_OUTBOX_MAX_BYTES);
        }
    }

    @Test
    void theSettingBoundsTheOutboxes() {
        Settings s = Settings.builder().environment(Map.of("CHANNELS_OUTBOX_MAX_BYTES", "64KiB")).build();
        try (ChannelLayer layer = ChatViews.layerFrom(s)) {
            assertThat(layer.settings().outboxMaxBytes()).isEqualTo(64 * 1024);
        }
    }
}
