package dev.temperstore.secrets;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configured master keys by version. The primary key encrypts every new secret; the others only decrypt rows
 * written before a rotation. The optional legacy key (version {@link #LEGACY_VERSION}) reads rows that Temper wrote.
 *
 * <p>Validation messages name the configuration key, never its value: they end up in logs.
 */
public final class KeyRing {

  /** The version of rows written by Temper, which had one key and no version column; configured versions start at 1. */
  public static final int LEGACY_VERSION = 0;

  static final String KEYS_PREFIX = "temper.secrets.keys.";
  static final String PRIMARY_KEY = "temper.secrets.primary";
  public static final String LEGACY_KEY = "temper.secrets.legacy-key (TEMPER_VAULT_KEY)";

  private static final KeyRing EMPTY = new KeyRing(new TreeMap<>(), null, null);

  private final SortedMap<Integer, MasterKey> keys;
  private final MasterKey primary;
  private final MasterKey legacy;

  private KeyRing(SortedMap<Integer, MasterKey> keys, MasterKey primary, MasterKey legacy) {
    this.keys = Collections.unmodifiableSortedMap(keys);
    this.primary = primary;
    this.legacy = legacy;
  }

  /**
   * Decodes and checks the configured keys.
   *
   * @param base64ByVersion {@code temper.secrets.keys.<version>}: standard base64 of exactly 32 bytes each,
   *                        surrounding whitespace ignored (a key file often ends with a newline)
   * @param primaryVersion  {@code temper.secrets.primary}; when absent, the only key or else the highest version
   * @param legacyBase64    Temper's {@code TEMPER_VAULT_KEY}, to read the rows it wrote
   * @throws IllegalArgumentException naming the configuration key that cannot work
   */
  public static KeyRing fromBase64(
      Map<Integer, String> base64ByVersion, OptionalInt primaryVersion, Optional<String> legacyBase64) {
    Objects.requireNonNull(base64ByVersion, "base64ByVersion");
    Objects.requireNonNull(primaryVersion, "primaryVersion");
    Objects.requireNonNull(legacyBase64, "legacyBase64");
    SortedMap<Integer, MasterKey> keys = new TreeMap<>();
    for (Map.Entry<Integer, String> entry : new TreeMap<>(base64ByVersion).entrySet()) {
      int version = entry.getKey();
      String name = KEYS_PREFIX + version;
      if (version == LEGACY_VERSION) {
        throw new IllegalArgumentException(
            name + " is not allowed: version 0 is reserved for " + LEGACY_KEY + ", versions start at 1");
      }
      if (version < 0) {
        throw new IllegalArgumentException(name + " is not allowed: versions start at 1");
      }
      keys.put(version, decode(name, version, entry.getValue()));
    }
    MasterKey legacy = legacyBase64.map(value -> decode(LEGACY_KEY, LEGACY_VERSION, value)).orElse(null);
    if (keys.isEmpty()) {
      if (primaryVersion.isPresent()) {
        throw new IllegalArgumentException(PRIMARY_KEY + " is " + primaryVersion.getAsInt()
            + " but no " + KEYS_PREFIX + "<version> is configured");
      }
      if (legacy != null) {
        // Legacy rows could be read, but no new secret could be written: refuse rather than fail on first write.
        throw new IllegalArgumentException(LEGACY_KEY + " is set but no " + KEYS_PREFIX
            + "<version> is configured: new secrets need a primary key");
      }
      return EMPTY;
    }
    int chosen = primaryVersion.orElse(keys.lastKey());
    MasterKey primary = keys.get(chosen);
    if (primary == null) {
      throw new IllegalArgumentException(
          PRIMARY_KEY + " is " + chosen + " but " + KEYS_PREFIX + chosen + " is not configured");
    }
    return new KeyRing(keys, primary, legacy);
  }

  /** A random primary key, version 1, lost on exit: only for an explicit development flag. */
  public static KeyRing ephemeral() {
    byte[] bytes = new byte[MasterKey.KEY_BYTES];
    new SecureRandom().nextBytes(bytes);
    try {
      MasterKey key = MasterKey.of(1, bytes);
      SortedMap<Integer, MasterKey> keys = new TreeMap<>();
      keys.put(1, key);
      return new KeyRing(keys, key, null);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** No key at all: the secret store is disabled. */
  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /**
   * The key every new secret is encrypted under.
   *
   * @throws IllegalStateException when the ring {@link #isEmpty()}
   */
  public MasterKey primary() {
    if (primary == null) {
      throw new IllegalStateException("no secret key is configured (" + KEYS_PREFIX + "<version>)");
    }
    return primary;
  }

  /** The key of {@code version}; {@link #LEGACY_VERSION} gives the legacy key when one is configured. */
  public Optional<MasterKey> key(int version) {
    if (version == LEGACY_VERSION) {
      return Optional.ofNullable(legacy);
    }
    return Optional.ofNullable(keys.get(version));
  }

  /** Every version {@link #key(int)} answers, ascending: {@link #LEGACY_VERSION} first when a legacy key is set. */
  public SortedSet<Integer> versions() {
    SortedSet<Integer> versions = new TreeSet<>(keys.keySet());
    if (legacy != null) {
      versions.add(LEGACY_VERSION);
    }
    return Collections.unmodifiableSortedSet(versions);
  }

  @Override
  public String toString() {
    return "KeyRing[versions=" + versions() + ", primary=" + (primary == null ? "none" : primary.version()) + "]";
  }

  private static MasterKey decode(String name, int version, String base64) {
    if (base64 == null) {
      throw new IllegalArgumentException(name + " is not valid base64");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      // Not chained: the decoder's message quotes the offending character of the key.
      throw new IllegalArgumentException(name + " is not valid base64");
    }
    try {
      if (bytes.length != MasterKey.KEY_BYTES) {
        throw new IllegalArgumentException(
            name + " must decode to " + MasterKey.KEY_BYTES + " bytes, got " + bytes.length);
      }
      return MasterKey.of(version, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
