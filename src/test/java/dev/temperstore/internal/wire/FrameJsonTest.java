package dev.temperstore.internal.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameJsonTest {

  @Test
  void decimals_keep_every_digit_so_the_gate_can_refuse_what_a_double_would_round() {
    JsonObject frame = FrameJson.parseObject(Buffer.buffer(
        "{\"a\":1.00000000000000000001,\"b\":1e400,\"c\":7,\"d\":12345678901234567890123,\"e\":[true,null,\"s\"]}"));

    assertThat(frame.getValue("a")).isEqualTo(new BigDecimal("1.00000000000000000001"));
    assertThat(frame.getValue("b")).isEqualTo(new BigDecimal("1e400"));
    assertThat(frame.getValue("c")).isEqualTo(7);
    assertThat(frame.getValue("d")).isEqualTo(new BigInteger("12345678901234567890123"));
    assertThat(frame.getJsonArray("e").encode()).isEqualTo("[true,null,\"s\"]");
  }

  @Test
  void anything_but_one_json_object_is_a_decode_error() {
    for (String text : new String[] {"[1]", "\"s\"", "{\"a\":1} {}", "{\"a\":", "", "{\"a\":1e}",
        "[".repeat(500) + "]".repeat(500), "{\"a\":" + "9".repeat(2000) + "}"}) {
      assertThatThrownBy(() -> FrameJson.parseObject(Buffer.buffer(text))).as(text)
          .isInstanceOf(DecodeException.class);
    }
    byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertThatThrownBy(() -> FrameJson.parseObject(Buffer.buffer(invalidUtf8))).isInstanceOf(DecodeException.class);
  }
}
