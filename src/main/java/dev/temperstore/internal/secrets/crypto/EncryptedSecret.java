package dev.temperstore.internal.secrets.crypto;

import dev.temperstore.secrets.KeyRing;

import java.util.Arrays;
import java.util.Objects;

/**
 * A secret as stored: the version of the key it was encrypted under, the GCM nonce, and the ciphertext with the
 * 16-byte tag appended. Arrays are copied in and out, so a row cannot be changed after it was read or written.
 *
 * @param keyVersion {@link KeyRing#LEGACY_VERSION} for rows written by Temper
 * @param nonce      12 bytes
 * @param ciphertext the encrypted value followed by the authentication tag
 */
public record EncryptedSecret(int keyVersion, byte[] nonce, byte[] ciphertext) {

  public EncryptedSecret {
    nonce = Objects.requireNonNull(nonce, "nonce").clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** Equal content, not equal arrays: the default record equality would compare array identity. */
  @Override
  public boolean equals(Object other) {
    return other instanceof EncryptedSecret that
        && keyVersion == that.keyVersion
        && Arrays.equals(nonce, that.nonce)
        && Arrays.equals(ciphertext, that.ciphertext);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Integer.hashCode(keyVersion) + Arrays.hashCode(nonce)) + Arrays.hashCode(ciphertext);
  }

  @Override
  public String toString() {
    return "EncryptedSecret[keyVersion=" + keyVersion + ", nonce=" + nonce.length + " bytes, ciphertext="
        + ciphertext.length + " bytes]";
  }
}
