package dev.temperstore.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 instants as {@link Instant#parse} and {@link Instant#toString} read and write them, with a quick path
 * for the one shape the store writes ({@code 2026-11-26T10:15:30.123Z}, UTC, years 0000 to 9999). Every event's
 * timestamp is parsed and printed on each append and read, and the formatter-based JDK methods took a tenth of
 * the JVM's time there (JFR, docs/decisions/0003-uncopied-replies-and-quick-timestamps.md). Anything off the quick
 * path goes to the JDK methods, so the results are theirs, errors included; {@link LocalDateTime#of} checks the
 * calendar.
 */
public final class IsoInstant {

  /** {@code yyyy-MM-ddTHH:mm:ssZ}; a fraction of 1 to 9 digits may precede the Z. */
  private static final int SHORTEST = 20;
  private static final int LONGEST = 30;
  private static final long FIRST_SECOND = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
  private static final long LAST_SECOND = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

  private IsoInstant() {
  }

  /** As {@link Instant#parse}. @throws DateTimeParseException when {@code text} is not an ISO-8601 instant */
  public static Instant parse(CharSequence text) {
    Instant quick = quickParse(text);
    return quick != null ? quick : Instant.parse(text);
  }

  /** As {@link Instant#toString}: seconds always, the fraction in groups of three digits, as long as needed. */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_SECOND || seconds > LAST_SECOND) {
      return instant.toString();
    }
    LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, instant.getNano(), ZoneOffset.UTC);
    StringBuilder out = new StringBuilder(LONGEST);
    digits(out, time.getYear(), 4).append('-');
    digits(out, time.getMonthValue(), 2).append('-');
    digits(out, time.getDayOfMonth(), 2).append('T');
    digits(out, time.getHour(), 2).append(':');
    digits(out, time.getMinute(), 2).append(':');
    digits(out, time.getSecond(), 2);
    int nano = instant.getNano();
    if (nano > 0) {
      out.append('.');
      if (nano % 1_000_000 == 0) {
        digits(out, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        digits(out, nano / 1_000, 6);
      } else {
        digits(out, nano, 9);
      }
    }
    return out.append('Z').toString();
  }

  /** The instant, or null when {@code text} is not in the quick shape or names no real time (left to the JDK). */
  private static Instant quickParse(CharSequence text) {
    int length = text.length();
    if (length < SHORTEST || length > LONGEST || length == SHORTEST + 1 || text.charAt(length - 1) != 'Z'
        || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    int nano = 0;
    if (length > SHORTEST) {
      int fractionDigits = length - SHORTEST - 1;
      if (text.charAt(19) != '.') {
        return null;
      }
      nano = number(text, 20, fractionDigits);
      for (int i = fractionDigits; i < 9 && nano >= 0; i++) {
        nano *= 10;
      }
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nano < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nano).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // e.g. 02-30 or a leap second: the JDK decides
    }
  }

  /** The decimal number in {@code text[from, from + count)}, or -1 when a character is not an ASCII digit. */
  private static int number(CharSequence text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static StringBuilder digits(StringBuilder out, int value, int width) {
    String text = Integer.toString(value);
    for (int i = text.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(text);
  }
}
