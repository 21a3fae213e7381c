package dev.temperstore.config;

import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.secrets.KeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The secret store's master keys and bounds, as configured; a throw-away key only when explicitly asked for. */
public final class SecretKeys {

  private static final Logger LOG = LoggerFactory.getLogger(SecretKeys.class);

  private SecretKeys() {
  }

  /**
   * The configured key ring (empty when no key is configured: the secret store is then disabled).
   *
   * @throws IllegalArgumentException naming the key that does not decode to 32 bytes, never its value
   */
  public static KeyRing keyRing(StoreConfig.Secrets secrets) {
    KeyRing keys = KeyRing.fromBase64(secrets.keys(), secrets.primary(), secrets.legacyKey());
    if (keys.isEmpty() && secrets.developmentKey()) {
      LOG.warn("*** temper.secrets.development-key is on: secrets are encrypted with a random throw-away key and"
          + " become unreadable when this process stops. Never use this in production. ***");
      return KeyRing.ephemeral();
    }
    return keys;
  }

  /**
   * The configured keys ({@link #keyRing}) with the configured bounds.
   *
   * @throws IllegalArgumentException as {@link #keyRing}
   */
  public static SecretSettings settings(StoreConfig.Secrets secrets) {
    return new SecretSettings(keyRing(secrets), secrets.maxPerTenant(), secrets.maxValueBytes(),
        secrets.rotationBatchSize());
  }
}
