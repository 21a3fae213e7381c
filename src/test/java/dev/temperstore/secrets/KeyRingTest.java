package dev.temperstore.secrets;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyRingTest {

  private static final String KEY_1 = base64Of(32, 1);
  private static final String KEY_2 = base64Of(32, 2);
  private static final String KEY_3 = base64Of(32, 3);
  private static final String LEGACY = base64Of(32, 9);

  @Test
  void no_key_at_all_is_an_empty_ring_without_primary() {
    KeyRing ring = KeyRing.fromBase64(Map.of(), OptionalInt.empty(), Optional.empty());

    assertThat(ring.isEmpty()).isTrue();
    assertThat(ring.versions()).isEmpty();
    assertThat(ring.key(1)).isEmpty();
    assertThatThrownBy(ring::primary).isInstanceOf(IllegalStateException.class)
        .hasMessage("no secret key is configured (temper.secrets.keys.<version>)");
  }

  @Test
  void a_single_key_is_the_primary() {
    KeyRing ring = KeyRing.fromBase64(Map.of(4, KEY_1), OptionalInt.empty(), Optional.empty());

    assertThat(ring.isEmpty()).isFalse();
    assertThat(ring.primary().version()).isEqualTo(4);
    assertThat(ring.versions()).containsExactly(4);
  }

  @Test
  void without_a_named_primary_the_highest_version_is_primary() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, KEY_1, 3, KEY_3, 2, KEY_2), OptionalInt.empty(), Optional.empty());

    assertThat(ring.primary().version()).isEqualTo(3);
    assertThat(ring.versions()).containsExactly(1, 2, 3);
  }

  @Test
  void a_named_primary_is_used() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, KEY_1, 2, KEY_2), OptionalInt.of(1), Optional.empty());

    assertThat(ring.primary().version()).isEqualTo(1);
    assertThat(ring.key(2)).map(MasterKey::version).contains(2);
    assertThat(ring.key(5)).isEmpty();
  }

  @Test
  void keys_hold_the_decoded_bytes() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, KEY_1), OptionalInt.empty(), Optional.of(LEGACY));

    assertThat(ring.key(1).orElseThrow().key().getEncoded()).isEqualTo(Base64.getDecoder().decode(KEY_1));
    assertThat(ring.key(KeyRing.LEGACY_VERSION).orElseThrow().key().getEncoded())
        .isEqualTo(Base64.getDecoder().decode(LEGACY));
  }

  @Test
  void the_legacy_key_is_version_zero_and_never_primary() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, KEY_1), OptionalInt.empty(), Optional.of(LEGACY));

    assertThat(ring.key(KeyRing.LEGACY_VERSION)).map(MasterKey::version).contains(0);
    assertThat(ring.versions()).containsExactly(0, 1);
    assertThat(ring.primary().version()).isEqualTo(1);
  }

  @Test
  void surrounding_whitespace_such_as_a_trailing_newline_is_ignored() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, " " + KEY_1 + "\n"), OptionalInt.empty(), Optional.empty());

    assertThat(ring.primary().key().getEncoded()).isEqualTo(Base64.getDecoder().decode(KEY_1));
  }

  @Test
  void a_value_that_is_not_base64_names_the_key_and_not_the_value() {
    String value = "not*base64*" + KEY_2;

    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(1, KEY_1, 2, value), OptionalInt.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.keys.2 is not valid base64")
        .hasNoCause();
  }

  @Test
  void a_value_of_another_length_names_the_key_and_the_length_and_not_the_value() {
    String value = base64Of(16, 5);

    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(2, value), OptionalInt.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.keys.2 must decode to 32 bytes, got 16")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
  }

  @Test
  void a_bad_legacy_key_names_both_its_configuration_names() {
    String shortValue = base64Of(31, 5);

    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(1, KEY_1), OptionalInt.empty(), Optional.of("%%%")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.legacy-key (TEMPER_VAULT_KEY) is not valid base64");
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(1, KEY_1), OptionalInt.empty(), Optional.of(shortValue)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.legacy-key (TEMPER_VAULT_KEY) must decode to 32 bytes, got 31");
  }

  @Test
  void a_primary_that_names_no_configured_key_is_refused() {
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(1, KEY_1, 2, KEY_2), OptionalInt.of(3), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.primary is 3 but temper.secrets.keys.3 is not configured")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_1).doesNotContain(KEY_2));
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(), OptionalInt.of(1), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.primary is 1 but no temper.secrets.keys.<version> is configured");
  }

  @Test
  void version_zero_is_reserved_for_the_legacy_key() {
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(0, KEY_1), OptionalInt.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.keys.0 is not allowed: version 0 is reserved for "
            + "temper.secrets.legacy-key (TEMPER_VAULT_KEY), versions start at 1")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_1));
  }

  @Test
  void a_negative_version_is_refused() {
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(-1, KEY_1), OptionalInt.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.keys.-1 is not allowed: versions start at 1")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_1));
  }

  @Test
  void a_legacy_key_alone_is_refused_because_new_secrets_need_a_primary() {
    assertThatThrownBy(() -> KeyRing.fromBase64(Map.of(), OptionalInt.empty(), Optional.of(LEGACY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temper.secrets.legacy-key (TEMPER_VAULT_KEY) is set but no temper.secrets.keys.<version> "
            + "is configured: new secrets need a primary key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(LEGACY));
  }

  @Test
  void an_ephemeral_ring_has_one_random_primary_of_version_one() {
    KeyRing first = KeyRing.ephemeral();
    KeyRing second = KeyRing.ephemeral();

    assertThat(first.versions()).containsExactly(1);
    assertThat(first.primary().version()).isEqualTo(1);
    assertThat(first.primary().key().getEncoded()).hasSize(32)
        .isNotEqualTo(second.primary().key().getEncoded());
    assertThat(first.key(KeyRing.LEGACY_VERSION)).isEmpty();
  }

  @Test
  void to_string_shows_versions_and_never_key_material() {
    KeyRing ring = KeyRing.fromBase64(Map.of(1, KEY_1, 2, KEY_2), OptionalInt.empty(), Optional.of(LEGACY));

    assertThat(ring).hasToString("KeyRing[versions=[0, 1, 2], primary=2]");
    assertThat(ring.primary()).hasToString("MasterKey[version=2]");
    assertThat(ring.primary().hashCode()).isEqualTo(Integer.hashCode(2));
  }

  @Test
  void a_master_key_must_be_32_bytes() {
    assertThatThrownBy(() -> MasterKey.of(1, new byte[24]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("master key version 1 must be 32 bytes, got 24");
  }

  private static String base64Of(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed * 31 + i * 7);
    }
    return Base64.getEncoder().encodeToString(bytes);
  }
}
