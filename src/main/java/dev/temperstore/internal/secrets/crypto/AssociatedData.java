package dev.temperstore.internal.secrets.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The bytes a secret's GCM tag authenticates besides its value: where it belongs. A row copied to another tenant or
 * key name, or relabelled with another key version, then fails authentication instead of decrypting.
 *
 * <p>Layout: the ASCII domain tag {@value #DOMAIN}, then tenant and key name each as a 4-byte big-endian length and
 * its UTF-8 bytes, then the 4-byte big-endian key version. The length prefixes make the encoding injective:
 * {@code ("ab", "c")} and {@code ("a", "bc")} differ. Changing it makes every stored secret unreadable.
 */
public final class AssociatedData {

  /** Names the format, so these bytes can never be mistaken for another use of the same key. */
  public static final String DOMAIN = "temper-store/secret/v1";

  private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);

  private AssociatedData() {
  }

  /** The associated data of the secret {@code keyName} of {@code tenant} under key {@code keyVersion}. */
  public static byte[] of(String tenant, String keyName, int keyVersion) {
    byte[] tenantBytes = Objects.requireNonNull(tenant, "tenant").getBytes(StandardCharsets.UTF_8);
    byte[] nameBytes = Objects.requireNonNull(keyName, "keyName").getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(DOMAIN_BYTES.length + 4 + tenantBytes.length + 4 + nameBytes.length + 4)
        .put(DOMAIN_BYTES)
        .putInt(tenantBytes.length).put(tenantBytes)
        .putInt(nameBytes.length).put(nameBytes)
        .putInt(keyVersion)
        .array();
  }
}
