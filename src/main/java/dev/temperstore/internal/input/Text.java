package dev.temperstore.internal.input;

import dev.temperstore.errors.InvalidRequest;

import java.util.function.Supplier;

/**
 * What every string the store accepts must be: well-formed Unicode that PostgreSQL stores as given. A NUL
 * cannot be stored in {@code text} or {@code jsonb} at all, and an unpaired UTF-16 surrogate has no UTF-8 form:
 * the driver would send {@code ?} in its place, so two different names would become one.
 */
public final class Text {

  private static final int SHOWN_CODE_POINTS = 80;

  private Text() {
  }

  /** @throws InvalidRequest naming {@code path} when {@code value} holds a NUL or an unpaired surrogate */
  public static String check(String path, String value) {
    return check(() -> path, value);
  }

  /** As {@link #check(String, String)}, the path asked of {@code path} only when {@code value} is refused. */
  public static String check(Supplier<String> path, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new InvalidRequest(path.get() + " " + problem);
    }
    return value;
  }

  /**
   * {@code value} if it is a name the store keeps (an event type, an actor id, a listed key): not empty, at most
   * {@code maxLength} characters, and storable ({@link #check}); else an InvalidRequest naming {@code path}, asked
   * only then. One rule for the JSON gate and the typed one.
   */
  public static String bounded(Supplier<String> path, String value, int maxLength) {
    if (value.isEmpty()) {
      throw new InvalidRequest(path.get() + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new InvalidRequest(path.get() + " is longer than " + maxLength + " characters");
    }
    return check(path, value);
  }

  /** Why {@code value} cannot be stored as given, or null when it can. */
  public static String problem(String value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c == 0) {
        return "contains a NUL character (U+0000) at index " + i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return "contains an unpaired UTF-16 surrogate (U+" + Integer.toHexString(c).toUpperCase() + ") at index " + i;
      }
    }
    return null;
  }

  /** The length of {@code value} in UTF-8, counted without encoding it; a well-formed string is assumed. */
  public static long utf8Length(String value) {
    long bytes = value.length();
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        // 2 bytes below U+0800, 3 up to U+FFFF; a surrogate pair (2 chars) is 4 bytes.
        bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  /**
   * {@code value} as it may appear in a message: cut to 80 code points so that a huge input does not make a huge
   * error, with control characters and surrogates escaped so that the message itself is clean text.
   */
  public static String shown(String value) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < value.length(); shown++) {
      if (shown == SHOWN_CODE_POINTS) {
        return out.append('…').toString();
      }
      int codePoint = value.codePointAt(i);
      if (Character.isISOControl(codePoint) || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
        out.append(String.format("\\u%04X", codePoint));
      } else {
        out.appendCodePoint(codePoint);
      }
      i += Character.charCount(codePoint);
    }
    return out.toString();
  }
}
