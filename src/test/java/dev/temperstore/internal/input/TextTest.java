package dev.temperstore.internal.input;

import dev.temperstore.errors.InvalidRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTest {

  @Test
  void nul_and_unpaired_surrogates_are_named_with_their_position_and_pairs_pass() {
    assertThat(Text.problem("plain ascii")).isNull();
    assertThat(Text.problem("pair \ud83d\ude00 and \u4e2d")).isNull();
    assertThat(Text.problem("a\u0000b")).isEqualTo("contains a NUL character (U+0000) at index 1");
    assertThat(Text.problem("victim\ud800")).isEqualTo("contains an unpaired UTF-16 surrogate (U+D800) at index 6");
    assertThat(Text.problem("\ude00x")).contains("U+DE00").contains("index 0");
    assertThat(Text.problem("\ud83d\ud83d\ude00")).contains("index 0");
    assertThatThrownBy(() -> Text.check("events[0].eventType", "x\u0000"))
        .isInstanceOf(InvalidRequest.class).hasMessageStartingWith("events[0].eventType contains a NUL");
  }

  @Test
  void utf8_length_agrees_with_the_encoder_for_every_plane() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      StringBuilder text = new StringBuilder();
      for (int j = random.nextInt(40); j > 0; j--) {
        int codePoint = switch (random.nextInt(4)) {
          case 0 -> random.nextInt(0x80);
          case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
          case 2 -> 0xE000 + random.nextInt(0x10000 - 0xE000);
          default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
        };
        text.appendCodePoint(codePoint);
      }
      String value = text.toString();
      assertThat(Text.utf8Length(value)).as(value).isEqualTo(value.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void shown_values_are_cut_and_escaped_so_messages_stay_clean_text() {
    assertThat(Text.shown("a\u0000b\ud800")).isEqualTo("a\\u0000b\\uD800");
    assertThat(Text.shown("\ud83d\ude00".repeat(100))).hasSize(80 * 2 + 1).endsWith("…");
  }
}
