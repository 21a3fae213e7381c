package dev.temperstore.internal.secrets;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** What a secret's name and value may be. Messages never include a value. */
public final class SecretRules {

  /** Letters, digits, '.', '-', '_'; starting with a letter or digit; at most 128 characters. */
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private SecretRules() {
  }

  /** @throws InvalidRequest naming the rule */
  public static String keyName(String keyName) {
    if (keyName == null || !KEY_NAME.matcher(keyName).matches()) {
      String shown = keyName == null ? "nothing" : "\"" + (keyName.length() > 80 ? keyName.substring(0, 80) + "…"
          : keyName) + "\"";
      throw new InvalidRequest("invalid secret key name " + shown + ": use 1 to 128 letters, digits, '.', '-' or '_',"
          + " starting with a letter or digit");
    }
    return keyName;
  }

  /** The value's UTF-8 bytes. @throws TooLarge over {@code maxBytes}, without showing the value */
  public static byte[] value(String value, int maxBytes) {
    if (value == null) {
      throw new InvalidRequest("secret value is missing");
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      throw new TooLarge("secret value is " + bytes.length + " bytes, over the limit of " + maxBytes);
    }
    return bytes;
  }
}
