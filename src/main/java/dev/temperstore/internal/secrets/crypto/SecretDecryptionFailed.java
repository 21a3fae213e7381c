package dev.temperstore.internal.secrets.crypto;

/**
 * A stored secret could not be decrypted: tampered, moved to another tenant or key name, encrypted under another
 * key, or its key is not configured. The message names the secret and the reason, never any byte of value, key or
 * nonce; the JDK's exception, when there is one, stays as the cause.
 */
public final class SecretDecryptionFailed extends RuntimeException {

  private final String tenant;
  private final String keyName;
  private final int keyVersion;

  public SecretDecryptionFailed(String tenant, String keyName, int keyVersion, String reason, Throwable cause) {
    // An expected, fully described failure: a stack trace would only bury the message.
    super("cannot decrypt secret \"" + keyName + "\" of tenant \"" + tenant + "\" (key version " + keyVersion
        + "): " + reason, cause, false, false);
    this.tenant = tenant;
    this.keyName = keyName;
    this.keyVersion = keyVersion;
  }

  public String tenant() {
    return tenant;
  }

  public String keyName() {
    return keyName;
  }

  public int keyVersion() {
    return keyVersion;
  }
}
