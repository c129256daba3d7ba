package io.mqttra.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadPreviewTest {

    @Test
    void utf8TextIsShownAsTextCutByCharactersNotBytes() {
        byte[] payload = "äöü".repeat(100).getBytes(StandardCharsets.UTF_8); // 600 bytes, 300 characters

        PayloadPreview p = PayloadPreview.of(payload, 256);

        assertThat(p.isText()).isTrue();
        assertThat(p.text()).hasSize(256).startsWith("äöüä");
    }

    @Test
    void binaryAndControlCharactersAreShownAsHexadecimalUpToTheLimit() {
        assertThat(PayloadPreview.of(new byte[] {(byte) 0xc3, 0x28}, 256)).isEqualTo(new PayloadPreview("c328", false));
        assertThat(PayloadPreview.of(new byte[] {'a', 0, 'b'}, 2)).isEqualTo(new PayloadPreview("6100", false));
    }

    @Test
    void textWithLineBreaksAndTabsStaysText() {
        assertThat(PayloadPreview.of("{\n\t\"on\": true\r\n}".getBytes(StandardCharsets.UTF_8), 256)
                        .isText())
                .isTrue();
    }
}
