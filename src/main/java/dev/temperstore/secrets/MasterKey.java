package dev.temperstore.secrets;

import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One AES-256 master key and the version rows record, so that a row names the key it needs and keys can be rotated.
 * Version {@link KeyRing#LEGACY_VERSION} is Temper's single key.
 *
 * <p>{@link #toString()} and {@link #hashCode()} use only the version: a key logged by accident shows nothing.
 *
 * @param version the number stored beside every ciphertext written under this key
 * @param key     32 bytes of AES key material
 */
public record MasterKey(int version, SecretKey key) {

  /** AES-256: the only size accepted, as in Temper. */
  public static final int KEY_BYTES = 32;

  public MasterKey {
    Objects.requireNonNull(key, "key");
    if (version < 0) {
      throw new IllegalArgumentException("master key version must not be negative, got " + version);
    }
    if (!"AES".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("master key version " + version + " must be an AES key");
    }
    byte[] encoded = key.getEncoded();
    int length = encoded == null ? 0 : encoded.length;
    if (encoded != null) {
      Arrays.fill(encoded, (byte) 0);
    }
    if (length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "master key version " + version + " must be " + KEY_BYTES + " bytes, got " + length);
    }
  }

  /** A key of {@code bytes}, which are copied: the caller may wipe its array afterwards. */
  public static MasterKey of(int version, byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "master key version " + version + " must be " + KEY_BYTES + " bytes, got " + bytes.length);
    }
    return new MasterKey(version, new SecretKeySpec(bytes, "AES"));
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(version);
  }

  @Override
  public String toString() {
    return "MasterKey[version=" + version + "]";
  }
}
