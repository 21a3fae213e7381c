package dev.temperstore.internal.secrets.crypto;

import dev.temperstore.secrets.KeyRing;
import dev.temperstore.secrets.MasterKey;

import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts secrets with AES-256-GCM under the primary key of a {@link KeyRing}, bound to their tenant, key name and
 * key version by {@link AssociatedData}; decrypts them under the key their version names, and Temper's rows (version
 * {@link KeyRing#LEGACY_VERSION}: same cipher, no associated data) under the legacy key.
 *
 * <p>Thread-safe: a {@link Cipher} is not, so each call gets its own; {@link SecureRandom} is.
 */
public final class SecretCipher {

  /** 96 bits: the size GCM is specified for, and Temper's. */
  public static final int NONCE_BYTES = 12;
  /** 128 bits, appended to the ciphertext. */
  public static final int TAG_BITS = 128;

  private static final int TAG_BYTES = TAG_BITS / 8;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final KeyRing keys;
  private final SecureRandom random;

  /**
   * @throws IllegalArgumentException when {@code keys} is empty: without a key the store is disabled, not ciphered
   */
  public SecretCipher(KeyRing keys) {
    this(keys, new SecureRandom());
  }

  SecretCipher(KeyRing keys, SecureRandom random) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.random = Objects.requireNonNull(random, "random");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no secret key is configured");
    }
  }

  /** Encrypts {@code plaintext} under the primary key with a fresh random nonce. */
  public EncryptedSecret encrypt(String tenant, String keyName, byte[] plaintext) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(plaintext, "plaintext");
    MasterKey key = keys.primary();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(AssociatedData.of(tenant, keyName, key.version()));
      return new EncryptedSecret(key.version(), nonce, cipher.doFinal(plaintext));
    } catch (GeneralSecurityException e) {
      // AES-GCM with a valid 256-bit key cannot fail here short of a broken JDK.
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * The plaintext of {@code secret}, if it was written for this tenant and key name under the key its version names.
   *
   * @throws SecretDecryptionFailed for every failure, whatever its cause
   */
  public byte[] decrypt(String tenant, String keyName, EncryptedSecret secret) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(secret, "secret");
    int version = secret.keyVersion();
    MasterKey key = keys.key(version).orElseThrow(() -> new SecretDecryptionFailed(tenant, keyName, version,
        version == KeyRing.LEGACY_VERSION
            ? "key version 0 is not configured (rows written by Temper need " + KeyRing.LEGACY_KEY + ")"
            : "key version " + version + " is not configured", null));
    byte[] nonce = secret.nonce();
    if (nonce.length != NONCE_BYTES) {
      throw new SecretDecryptionFailed(tenant, keyName, version,
          "invalid nonce length: expected " + NONCE_BYTES + ", got " + nonce.length, null);
    }
    byte[] ciphertext = secret.ciphertext();
    if (ciphertext.length < TAG_BYTES) {
      // Checked here: JDK 17 answers this with a ProviderException instead of AEADBadTagException.
      throw new SecretDecryptionFailed(tenant, keyName, version,
          "ciphertext too short: expected at least " + TAG_BYTES + " bytes, got " + ciphertext.length, null);
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      if (version != KeyRing.LEGACY_VERSION) {
        cipher.updateAAD(AssociatedData.of(tenant, keyName, version));
      }
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new SecretDecryptionFailed(tenant, keyName, version,
          "authentication failed (tampered, moved, or wrong key)", e);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new SecretDecryptionFailed(tenant, keyName, version,
          "AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /** True when {@code secret} is not under the primary key, so {@link #reencrypt} should move it there. */
  public boolean needsRotation(EncryptedSecret secret) {
    return secret.keyVersion() != keys.primary().version();
  }

  /**
   * {@code old} decrypted and encrypted again under the primary key with a fresh nonce; a legacy row gains the
   * associated data binding it. The intermediate plaintext is wiped.
   *
   * @throws SecretDecryptionFailed when {@code old} does not decrypt
   */
  public EncryptedSecret reencrypt(String tenant, String keyName, EncryptedSecret old) {
    byte[] plaintext = decrypt(tenant, keyName, old);
    try {
      return encrypt(tenant, keyName, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }
}
