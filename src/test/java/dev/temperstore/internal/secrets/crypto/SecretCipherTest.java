package dev.temperstore.internal.secrets.crypto;

import dev.temperstore.secrets.KeyRing;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretCipherTest {

  private static final String TENANT = "acme";
  private static final String NAME = "api-key";
  private static final String PLAINTEXT = "s3cr3t-value-that-must-never-leak";
  private static final String KEY_1 = randomKey();
  private static final String KEY_2 = randomKey();
  private static final String OTHER_KEY = randomKey();
  private static final String LEGACY_KEY = randomKey();
  private static final String AUTH_FAILED = "authentication failed (tampered, moved, or wrong key)";

  private final SecretCipher cipher = new SecretCipher(ring(Map.of(1, KEY_1)));

  @Test
  void values_round_trip() {
    byte[] large = new byte[8192];
    new SecureRandom().nextBytes(large);
    List<byte[]> values = List.of(
        new byte[0],
        "plain ascii".getBytes(StandardCharsets.US_ASCII),
        "päßwörd ✓ 秘密 🔑".getBytes(StandardCharsets.UTF_8),
        large);

    for (byte[] value : values) {
      EncryptedSecret secret = cipher.encrypt(TENANT, NAME, value);

      assertThat(secret.keyVersion()).isEqualTo(1);
      assertThat(secret.nonce()).hasSize(12);
      assertThat(secret.ciphertext()).hasSize(value.length + 16);
      assertThat(cipher.decrypt(TENANT, NAME, secret)).isEqualTo(value);
    }
  }

  @Test
  void a_multi_byte_utf8_value_comes_back_as_the_same_string() {
    String value = "päßwörd ✓ 秘密 🔑";

    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, value.getBytes(StandardCharsets.UTF_8));

    assertThat(new String(cipher.decrypt(TENANT, NAME, secret), StandardCharsets.UTF_8)).isEqualTo(value);
  }

  @Test
  void two_encryptions_of_the_same_value_differ_in_nonce_and_ciphertext() {
    EncryptedSecret first = cipher.encrypt(TENANT, NAME, plaintext());
    EncryptedSecret second = cipher.encrypt(TENANT, NAME, plaintext());

    assertThat(first.nonce()).isNotEqualTo(second.nonce());
    assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    assertThat(cipher.decrypt(TENANT, NAME, second)).isEqualTo(plaintext());
  }

  @Test
  void the_ciphertext_does_not_contain_the_plaintext() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());

    assertThat(new String(secret.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain(PLAINTEXT);
  }

  @Test
  void a_flipped_bit_in_the_ciphertext_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());
    byte[] ciphertext = secret.ciphertext();
    ciphertext[0] ^= 0x01;

    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, secret.nonce(), ciphertext)), 1);
  }

  @Test
  void a_flipped_bit_in_the_tag_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());
    byte[] ciphertext = secret.ciphertext();
    ciphertext[ciphertext.length - 16] ^= 0x01;
    byte[] lastByte = secret.ciphertext();
    lastByte[lastByte.length - 1] ^= (byte) 0x80;

    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, secret.nonce(), ciphertext)), 1);
    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, secret.nonce(), lastByte)), 1);
  }

  @Test
  void a_flipped_bit_in_the_nonce_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());
    byte[] nonce = secret.nonce();
    nonce[11] ^= 0x01;

    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, nonce, secret.ciphertext())), 1);
  }

  @Test
  void a_ciphertext_truncated_into_its_tag_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, new byte[0]);
    byte[] truncated = Arrays.copyOf(secret.ciphertext(), 15);

    assertFails(() -> cipher.decrypt(TENANT, NAME, new EncryptedSecret(1, secret.nonce(), truncated)),
        "cannot decrypt secret \"api-key\" of tenant \"acme\" (key version 1): "
            + "ciphertext too short: expected at least 16 bytes, got 15",
        null);
  }

  @Test
  void a_ciphertext_that_lost_its_last_byte_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());
    byte[] ciphertext = secret.ciphertext();
    byte[] truncated = Arrays.copyOf(ciphertext, ciphertext.length - 1);

    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, secret.nonce(), truncated)), 1);
  }

  @Test
  void a_ciphertext_moved_to_another_tenant_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());

    assertFails(() -> cipher.decrypt("globex", NAME, secret),
        "cannot decrypt secret \"api-key\" of tenant \"globex\" (key version 1): " + AUTH_FAILED,
        AEADBadTagException.class);
  }

  @Test
  void a_ciphertext_moved_to_another_key_name_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());

    assertFails(() -> cipher.decrypt(TENANT, "db-password", secret),
        "cannot decrypt secret \"db-password\" of tenant \"acme\" (key version 1): " + AUTH_FAILED,
        AEADBadTagException.class);
  }

  @Test
  void moving_a_character_between_tenant_and_key_name_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt("ab", "c", plaintext());

    assertFails(() -> cipher.decrypt("a", "bc", secret),
        "cannot decrypt secret \"bc\" of tenant \"a\" (key version 1): " + AUTH_FAILED, AEADBadTagException.class);
  }

  @Test
  void a_relabelled_key_version_does_not_decrypt_even_when_both_versions_hold_the_same_key() {
    SecretCipher sameKeyTwice = new SecretCipher(ring(Map.of(1, KEY_1, 2, KEY_1)));
    EncryptedSecret secret = sameKeyTwice.encrypt(TENANT, NAME, plaintext());
    assertThat(secret.keyVersion()).isEqualTo(2);

    assertAuthenticationFails(() -> sameKeyTwice.decrypt(TENANT, NAME,
        new EncryptedSecret(1, secret.nonce(), secret.ciphertext())), 1);
  }

  @Test
  void a_key_ring_whose_key_for_the_version_differs_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());
    SecretCipher otherKey = new SecretCipher(ring(Map.of(1, OTHER_KEY)));

    assertAuthenticationFails(() -> otherKey.decrypt(TENANT, NAME, secret), 1);
  }

  @Test
  void an_unknown_key_version_does_not_decrypt() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());

    assertFails(() -> cipher.decrypt(TENANT, NAME, new EncryptedSecret(7, secret.nonce(), secret.ciphertext())),
        "cannot decrypt secret \"api-key\" of tenant \"acme\" (key version 7): key version 7 is not configured",
        null);
  }

  @Test
  void a_legacy_row_without_a_legacy_key_does_not_decrypt() {
    EncryptedSecret legacy = temperEncrypt(LEGACY_KEY, plaintext());

    assertFails(() -> cipher.decrypt(TENANT, NAME, legacy),
        "cannot decrypt secret \"api-key\" of tenant \"acme\" (key version 0): key version 0 is not configured "
            + "(rows written by Temper need temper.secrets.legacy-key (TEMPER_VAULT_KEY))",
        null);
  }

  @Test
  void a_row_written_by_temper_decrypts_through_key_version_zero() {
    SecretCipher withLegacy = new SecretCipher(ring(Map.of(1, KEY_1), LEGACY_KEY));
    EncryptedSecret legacy = temperEncrypt(LEGACY_KEY, plaintext());

    assertThat(withLegacy.decrypt(TENANT, NAME, legacy)).isEqualTo(plaintext());
    // Temper bound nothing: the row reads the same under any tenant and name.
    assertThat(withLegacy.decrypt("globex", "other", legacy)).isEqualTo(plaintext());
  }

  @Test
  void a_tampered_temper_row_does_not_decrypt() {
    SecretCipher withLegacy = new SecretCipher(ring(Map.of(1, KEY_1), LEGACY_KEY));
    EncryptedSecret legacy = temperEncrypt(LEGACY_KEY, plaintext());
    byte[] ciphertext = legacy.ciphertext();
    ciphertext[3] ^= 0x04;

    assertAuthenticationFails(() -> withLegacy.decrypt(TENANT, NAME,
        new EncryptedSecret(0, legacy.nonce(), ciphertext)), 0);
  }

  @Test
  void reencrypting_a_temper_row_moves_it_to_the_primary_with_associated_data() throws Exception {
    SecretCipher withLegacy = new SecretCipher(ring(Map.of(1, KEY_1, 2, KEY_2), LEGACY_KEY));
    EncryptedSecret legacy = temperEncrypt(LEGACY_KEY, plaintext());
    assertThat(withLegacy.needsRotation(legacy)).isTrue();

    EncryptedSecret moved = withLegacy.reencrypt(TENANT, NAME, legacy);

    assertThat(moved.keyVersion()).isEqualTo(2);
    assertThat(withLegacy.needsRotation(moved)).isFalse();
    assertThat(moved.nonce()).isNotEqualTo(legacy.nonce());
    assertThat(withLegacy.decrypt(TENANT, NAME, moved)).isEqualTo(plaintext());
    // Now bound to tenant and name: Temper's way (no associated data) no longer opens it, even with the right key.
    Cipher raw = Cipher.getInstance("AES/GCM/NoPadding");
    raw.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(KEY_2), "AES"),
        new GCMParameterSpec(128, moved.nonce()));
    assertThatThrownBy(() -> raw.doFinal(moved.ciphertext())).isInstanceOf(AEADBadTagException.class);
    assertFails(() -> withLegacy.decrypt("globex", NAME, moved),
        "cannot decrypt secret \"api-key\" of tenant \"globex\" (key version 2): " + AUTH_FAILED,
        AEADBadTagException.class);
  }

  @Test
  void a_temper_row_with_a_nonce_of_another_length_fails_with_temper_text() {
    SecretCipher withLegacy = new SecretCipher(ring(Map.of(1, KEY_1), LEGACY_KEY));
    EncryptedSecret legacy = temperEncrypt(LEGACY_KEY, plaintext());

    assertFails(() -> withLegacy.decrypt(TENANT, NAME,
            new EncryptedSecret(0, new byte[8], legacy.ciphertext())),
        "cannot decrypt secret \"api-key\" of tenant \"acme\" (key version 0): "
            + "invalid nonce length: expected 12, got 8",
        null);
  }

  @Test
  void a_row_under_an_old_key_needs_rotation_and_reencrypts_to_the_primary() {
    EncryptedSecret old = cipher.encrypt(TENANT, NAME, plaintext());
    SecretCipher rotated = new SecretCipher(ring(Map.of(1, KEY_1, 2, KEY_2)));
    assertThat(cipher.needsRotation(old)).isFalse();
    assertThat(rotated.needsRotation(old)).isTrue();

    EncryptedSecret moved = rotated.reencrypt(TENANT, NAME, old);

    assertThat(moved.keyVersion()).isEqualTo(2);
    assertThat(rotated.needsRotation(moved)).isFalse();
    assertThat(rotated.decrypt(TENANT, NAME, moved)).isEqualTo(plaintext());
    assertAuthenticationFails(() -> cipher.decrypt(TENANT, NAME,
        new EncryptedSecret(1, moved.nonce(), moved.ciphertext())), 1);
  }

  @Test
  void reencrypting_a_row_that_does_not_decrypt_fails_the_same_way() {
    EncryptedSecret secret = cipher.encrypt(TENANT, NAME, plaintext());

    assertFails(() -> cipher.reencrypt("globex", NAME, secret),
        "cannot decrypt secret \"api-key\" of tenant \"globex\" (key version 1): " + AUTH_FAILED,
        AEADBadTagException.class);
  }

  @Test
  void an_empty_key_ring_cannot_make_a_cipher() {
    KeyRing empty = KeyRing.fromBase64(Map.of(), OptionalInt.empty(), Optional.empty());

    assertThatThrownBy(() -> new SecretCipher(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no secret key is configured");
  }

  @Test
  void one_cipher_serves_many_threads_at_once() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int task = 0; task < 64; task++) {
        String tenant = "tenant-" + task;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            byte[] value = (tenant + "/" + i).getBytes(StandardCharsets.UTF_8);
            byte[] back = cipher.decrypt(tenant, NAME, cipher.encrypt(tenant, NAME, value));
            if (!Arrays.equals(value, back)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void an_encrypted_secret_copies_its_arrays_and_shows_only_lengths() {
    byte[] nonce = new byte[12];
    byte[] ciphertext = {1, 2, 3};
    EncryptedSecret secret = new EncryptedSecret(3, nonce, ciphertext);
    nonce[0] = 9;
    secret.ciphertext()[0] = 9;

    assertThat(secret.nonce()[0]).isZero();
    assertThat(secret.ciphertext()).containsExactly(1, 2, 3);
    assertThat(secret).isEqualTo(new EncryptedSecret(3, new byte[12], new byte[] {1, 2, 3}))
        .hasSameHashCodeAs(new EncryptedSecret(3, new byte[12], new byte[] {1, 2, 3}))
        .hasToString("EncryptedSecret[keyVersion=3, nonce=12 bytes, ciphertext=3 bytes]");
  }

  /** Fails with authentication failure of the secret {@code api-key} of {@code acme}, the JDK's tag error as cause. */
  private static void assertAuthenticationFails(ThrowingCallable call, int version) {
    assertFails(call, "cannot decrypt secret \"api-key\" of tenant \"acme\" (key version " + version + "): "
        + AUTH_FAILED, AEADBadTagException.class);
  }

  private static void assertFails(ThrowingCallable call, String message, Class<? extends Throwable> cause) {
    var thrown = assertThatThrownBy(call)
        .isInstanceOf(SecretDecryptionFailed.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(e.getMessage())
            .doesNotContain(PLAINTEXT)
            .doesNotContain(KEY_1)
            .doesNotContain(KEY_2)
            .doesNotContain(OTHER_KEY)
            .doesNotContain(LEGACY_KEY));
    if (cause == null) {
      thrown.hasNoCause();
    } else {
      thrown.cause().isInstanceOf(cause);
    }
  }

  /** Exactly what Temper wrote: AES-256-GCM, a random 12-byte nonce, no associated data. */
  private static EncryptedSecret temperEncrypt(String base64Key, byte[] plaintext) {
    try {
      byte[] nonce = new byte[12];
      new SecureRandom().nextBytes(nonce);
      Cipher raw = Cipher.getInstance("AES/GCM/NoPadding");
      raw.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES"),
          new GCMParameterSpec(128, nonce));
      return new EncryptedSecret(KeyRing.LEGACY_VERSION, nonce, raw.doFinal(plaintext));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static KeyRing ring(Map<Integer, String> keys) {
    return KeyRing.fromBase64(keys, OptionalInt.empty(), Optional.empty());
  }

  private static KeyRing ring(Map<Integer, String> keys, String legacy) {
    return KeyRing.fromBase64(keys, OptionalInt.empty(), Optional.of(legacy));
  }

  private static byte[] plaintext() {
    return PLAINTEXT.getBytes(StandardCharsets.UTF_8);
  }

  private static String randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
