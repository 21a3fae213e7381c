package dev.temperstore.internal.secrets.crypto;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AssociatedDataTest {

  @Test
  void moving_a_character_between_tenant_and_key_name_changes_the_bytes() {
    assertThat(AssociatedData.of("ab", "c", 1)).isNotEqualTo(AssociatedData.of("a", "bc", 1));
    assertThat(AssociatedData.of("", "abc", 1)).isNotEqualTo(AssociatedData.of("abc", "", 1));
  }

  @Test
  void the_same_triple_gives_equal_bytes() {
    assertThat(AssociatedData.of("acme", "api-key", 3)).isEqualTo(AssociatedData.of("acme", "api-key", 3));
  }

  @Test
  void the_key_version_changes_the_bytes() {
    assertThat(AssociatedData.of("acme", "api-key", 1)).isNotEqualTo(AssociatedData.of("acme", "api-key", 2));
  }

  @Test
  void the_layout_is_domain_then_length_prefixed_utf8_then_version() {
    byte[] tenant = "acmé".getBytes(StandardCharsets.UTF_8);
    byte[] name = "k".getBytes(StandardCharsets.UTF_8);
    byte[] expected = ByteBuffer.allocate(22 + 4 + 5 + 4 + 1 + 4)
        .put("temper-store/secret/v1".getBytes(StandardCharsets.US_ASCII))
        .putInt(5).put(tenant)
        .putInt(1).put(name)
        .putInt(7)
        .array();

    assertThat(AssociatedData.of("acmé", "k", 7)).isEqualTo(expected);
  }
}
