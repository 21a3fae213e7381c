package dev.temperstore.testing;

import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.secrets.KeyRing;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Fixed master keys for tests, and the marker every test plaintext carries so logs can be searched for it. */
public final class TestKeys {

  /** Every plaintext a test stores contains this, so a log of the whole run can be checked for leaks. */
  public static final String PLAINTEXT_MARKER = "PlainTextMarker";

  public static final String KEY_1 = key(1);
  public static final String KEY_2 = key(2);
  /** What Temper's TEMPER_VAULT_KEY would hold. */
  public static final String LEGACY_KEY = key(9);

  private TestKeys() {
  }

  public static KeyRing ring(Map<Integer, String> keys, Integer primary) {
    return KeyRing.fromBase64(keys, primary == null ? OptionalInt.empty() : OptionalInt.of(primary),
        Optional.of(LEGACY_KEY));
  }

  public static SecretSettings settings(Map<Integer, String> keys, Integer primary) {
    return SecretSettings.withKeys(ring(keys, primary));
  }

  private static String key(int seed) {
    byte[] bytes = new byte[32];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (seed * 31 + i * 7);
    }
    return Base64.getEncoder().encodeToString(bytes);
  }
}
