package dev.temperstore.internal.subjects;

import dev.temperstore.internal.secrets.crypto.AssociatedData;
import dev.temperstore.secrets.KeyRing;
import dev.temperstore.secrets.MasterKey;
import dev.temperstore.tenancy.PersistenceId;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of personal data, AES-256-GCM throughout with a fresh random 96-bit nonce per encryption:
 * <ul>
 *   <li>a subject's data key is random, and stored only wrapped by the primary master key, bound by associated data
 *   to its tenant, subject and master key version;</li>
 *   <li>an event's personal values are encrypted together under the subject's key, bound to tenant, subject,
 *   stream, sequence and the fields' pointers: a ciphertext moved to another event, stream, tenant, subject or set
 *   of fields does not decrypt.</li>
 * </ul>
 * Thread-safe: each call gets its own {@link Cipher}.
 */
public final class SubjectCipher {

  /** Domain of a wrapped data key's associated data; changing it makes every stored key unreadable. */
  static final String KEY_DOMAIN = "temper-store/subject-key/v1";
  /** Domain of an event's sealed personal values' associated data. */
  static final String FIELDS_DOMAIN = "temper-store/personal/v1";

  /** Domain of a sealed snapshot state's associated data. */
  static final String SNAPSHOT_DOMAIN = "temper-store/snapshot/v1";
  /** What the data key is stretched with into the key of a snapshot's synthetic nonce. */
  private static final String SNAPSHOT_NONCE_DOMAIN = "temper-store/snapshot-nonce/v1";

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;

  /** A data key as stored: wrapped under master key {@code version}. */
  public record WrappedKey(int version, byte[] nonce, byte[] wrapped) {
  }

  /** A data key and its stored form. */
  public record NewKey(SecretKey key, WrappedKey stored) {
  }

  /**
   * A cipher per thread, initialised anew for each message: getting one from the provider cost as much as the
   * encryption of a few fields. Never used to encrypt twice under one key and nonce (each nonce is random), which
   * a GCM cipher refuses; {@link #sealSnapshot}, whose nonce repeats for the same state, gets its own.
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(SubjectCipher::newCipher);

  private final KeyRing keys;
  private final SecureRandom random = new SecureRandom();

  /** @throws IllegalArgumentException when {@code keys} is empty */
  public SubjectCipher(KeyRing keys) {
    this.keys = Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no master key is configured");
    }
  }

  /** A new random data key for {@code subject} of {@code tenant}, wrapped under the primary master key. */
  public NewKey newKey(String tenant, String subject) {
    byte[] bytes = new byte[KEY_BYTES];
    random.nextBytes(bytes);
    try {
      return new NewKey(new SecretKeySpec(bytes, "AES"), wrap(tenant, subject, bytes));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * The data key {@code stored} wraps.
   *
   * @throws KeyUnavailable when its master key version is not configured or it does not authenticate
   */
  public SecretKey unwrap(String tenant, String subject, WrappedKey stored) {
    MasterKey master = keys.key(stored.version()).orElseThrow(() -> new KeyUnavailable(
        "master key version " + stored.version() + " is not configured"));
    byte[] bytes = decrypt(master.key(), stored.nonce(), stored.wrapped(),
        AssociatedData.of(KEY_DOMAIN, tenant, subject, stored.version()));
    try {
      if (bytes.length != KEY_BYTES) {
        throw new KeyUnavailable("the data key has " + bytes.length + " bytes, not " + KEY_BYTES);
      }
      return new SecretKeySpec(bytes, "AES");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** True when {@code stored} is not under the primary master key, so {@link #rewrap} should move it there. */
  public boolean needsRewrap(WrappedKey stored) {
    return stored.version() != keys.primary().version();
  }

  /** {@code stored} unwrapped and wrapped again under the primary master key, with a fresh nonce. */
  public WrappedKey rewrap(String tenant, String subject, WrappedKey stored) {
    byte[] bytes = unwrap(tenant, subject, stored).getEncoded();
    try {
      return wrap(tenant, subject, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** {@code values} (the fields' values, in order) encrypted under {@code key}: base64 of nonce and ciphertext. */
  public String seal(SecretKey key, PersistenceId stream, long sequence, String subject, List<String> fields,
                     List<String> values) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] plaintext = encodeValues(values);
    try {
      byte[] ciphertext = encrypt(key, nonce, plaintext, fieldsData(stream, sequence, subject, fields));
      byte[] sealed = new byte[NONCE_BYTES + ciphertext.length];
      System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
      System.arraycopy(ciphertext, 0, sealed, NONCE_BYTES, ciphertext.length);
      return Base64.getEncoder().encodeToString(sealed);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The values {@link #seal} encrypted, if {@code sealed} was written for this very event and fields.
   *
   * @throws KeyUnavailable when it does not decrypt (altered, moved, or another key)
   */
  public List<String> open(SecretKey key, PersistenceId stream, long sequence, String subject, List<String> fields,
                           String sealed) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(sealed);
    } catch (IllegalArgumentException e) {
      throw new KeyUnavailable("the sealed personal fields are not base64");
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new KeyUnavailable("the sealed personal fields are too short");
    }
    byte[] plaintext = decrypt(key, Arrays.copyOf(bytes, NONCE_BYTES),
        Arrays.copyOfRange(bytes, NONCE_BYTES, bytes.length), fieldsData(stream, sequence, subject, fields));
    try {
      List<String> values = decodeValues(plaintext);
      if (values.size() != fields.size()) {
        throw new KeyUnavailable("the sealed personal fields hold " + values.size() + " values for " + fields.size()
            + " fields");
      }
      return values;
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The values as sealed: each a 4-byte big-endian length and its UTF-8 bytes, in order. */
  private static byte[] encodeValues(List<String> values) {
    byte[][] encoded = new byte[values.size()][];
    int length = 0;
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
      length += 4 + encoded[i].length;
    }
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
    for (byte[] value : encoded) {
      buffer.putInt(value.length).put(value);
    }
    return buffer.array();
  }

  private static List<String> decodeValues(byte[] plaintext) {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(plaintext);
    List<String> values = new ArrayList<>(2);
    while (buffer.hasRemaining()) {
      int length = buffer.remaining() >= 4 ? buffer.getInt() : -1;
      if (length < 0 || length > buffer.remaining()) {
        throw new KeyUnavailable("the sealed personal fields are malformed");
      }
      values.add(new String(plaintext, buffer.position(), length, StandardCharsets.UTF_8));
      buffer.position(buffer.position() + length);
    }
    return values;
  }

  /**
   * A snapshot's {@code state} encrypted under {@code key}: nonce and ciphertext, bound to the snapshot's stream,
   * sequence and subject. Its nonce is synthetic (the first 96 bits of an HMAC-SHA256, under a key derived from the
   * data key, of the associated data and the state): the same state at the same place encrypts to the same bytes,
   * so that saving a snapshot again stays idempotent, and two different states never share a nonce.
   */
  public byte[] sealSnapshot(SecretKey key, PersistenceId stream, long sequence, String subject, byte[] state) {
    byte[] associated = snapshotData(stream, sequence, subject);
    byte[] nonce;
    try {
      javax.crypto.Mac derive = javax.crypto.Mac.getInstance("HmacSHA256");
      derive.init(key);
      byte[] macKey = derive.doFinal(SNAPSHOT_NONCE_DOMAIN.getBytes(StandardCharsets.US_ASCII));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      Arrays.fill(macKey, (byte) 0);
      mac.update(associated);
      nonce = Arrays.copyOf(mac.doFinal(state), NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 failed: " + e.getClass().getSimpleName(), e);
    }
    byte[] ciphertext = encrypt(newCipher(), key, nonce, state, associated);
    byte[] sealed = new byte[NONCE_BYTES + ciphertext.length];
    System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
    System.arraycopy(ciphertext, 0, sealed, NONCE_BYTES, ciphertext.length);
    return sealed;
  }

  /**
   * The state {@link #sealSnapshot} encrypted, if {@code sealed} was written for this very snapshot.
   *
   * @throws KeyUnavailable when it does not decrypt
   */
  public byte[] openSnapshot(SecretKey key, PersistenceId stream, long sequence, String subject, byte[] sealed) {
    if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new KeyUnavailable("the sealed snapshot is too short");
    }
    return decrypt(key, Arrays.copyOf(sealed, NONCE_BYTES), Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length),
        snapshotData(stream, sequence, subject));
  }

  private static byte[] snapshotData(PersistenceId stream, long sequence, String subject) {
    return AssociatedData.of(SNAPSHOT_DOMAIN, stream.tenant(), subject, stream.entityType(), stream.entityId(),
        sequence);
  }

  private WrappedKey wrap(String tenant, String subject, byte[] key) {
    MasterKey master = keys.primary();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] wrapped = encrypt(master.key(), nonce, key, AssociatedData.of(KEY_DOMAIN, tenant, subject,
        master.version()));
    return new WrappedKey(master.version(), nonce, wrapped);
  }

  private static byte[] fieldsData(PersistenceId stream, long sequence, String subject, List<String> fields) {
    Object[] parts = new Object[6 + fields.size()];
    parts[0] = stream.tenant();
    parts[1] = subject;
    parts[2] = stream.entityType();
    parts[3] = stream.entityId();
    parts[4] = sequence;
    parts[5] = fields.size();
    for (int i = 0; i < fields.size(); i++) {
      parts[6 + i] = fields.get(i);
    }
    return AssociatedData.of(FIELDS_DOMAIN, parts);
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName(), e);
    }
  }

  private static byte[] encrypt(SecretKey key, byte[] nonce, byte[] plaintext, byte[] associated) {
    return encrypt(CIPHERS.get(), key, nonce, plaintext, associated);
  }

  private static byte[] encrypt(Cipher cipher, SecretKey key, byte[] nonce, byte[] plaintext, byte[] associated) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      // AES-GCM with a valid 256-bit key cannot fail here short of a broken JDK.
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private static byte[] decrypt(SecretKey key, byte[] nonce, byte[] ciphertext, byte[] associated) {
    if (nonce == null || nonce.length != NONCE_BYTES || ciphertext == null || ciphertext.length < TAG_BITS / 8) {
      throw new KeyUnavailable("malformed ciphertext");
    }
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated);
      return cipher.doFinal(ciphertext);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new KeyUnavailable("authentication failed (altered, moved, or another key)");
    }
  }

  /** A key or ciphertext that cannot be used; its message names why, never a value. */
  public static final class KeyUnavailable extends RuntimeException {
    KeyUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
