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

  private AssociatedData() {
  }

  /**
   * The associated data of another use of a master or data key: the ASCII {@code domain}, then each part in order,
   * a String as a 4-byte big-endian length and its UTF-8 bytes, an Integer as 4 bytes, a Long as 8 (big-endian).
   * The domain keeps each use's bytes apart from every other's.
   */
  public static byte[] of(String domain, Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] domainBytes = domain.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(domainBytes);
    for (Object part : parts) {
      if (part instanceof String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
      } else if (part instanceof Integer number) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(number).array());
      } else if (part instanceof Long number) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(number).array());
      } else {
        throw new IllegalArgumentException("associated data part of " + domain + " must be a String, Integer or Long");
      }
    }
    return out.toByteArray();
  }

  /** The associated data of the secret {@code keyName} of {@code tenant} under key {@code keyVersion}. */
  public static byte[] of(String tenant, String keyName, int keyVersion) {
    return of(DOMAIN, Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(keyName, "keyName"),
        keyVersion);
  }
}
