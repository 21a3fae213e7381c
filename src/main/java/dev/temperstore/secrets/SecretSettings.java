package dev.temperstore.secrets;


/**
 * The secret store's keys and bounds.
 *
 * @param keys               the master keys; empty disables the store (503)
 * @param maxPerTenant       secrets per tenant; a new one beyond is refused (429), replacing is always allowed
 * @param maxValueBytes      bytes of one value (413 beyond)
 * @param rotationBatchSize  secrets re-encrypted per statement during rotation
 */
public record SecretSettings(KeyRing keys, int maxPerTenant, int maxValueBytes, int rotationBatchSize) {

  public static final int DEFAULT_MAX_PER_TENANT = 100;
  public static final int DEFAULT_MAX_VALUE_BYTES = 8192;
  public static final int DEFAULT_ROTATION_BATCH_SIZE = 500;

  /** No key: the store is disabled. */
  public static SecretSettings disabled() {
    return withKeys(KeyRing.fromBase64(java.util.Map.of(), java.util.OptionalInt.empty(), java.util.Optional.empty()));
  }

  public static SecretSettings withKeys(KeyRing keys) {
    return new SecretSettings(keys, DEFAULT_MAX_PER_TENANT, DEFAULT_MAX_VALUE_BYTES, DEFAULT_ROTATION_BATCH_SIZE);
  }
}
