package dev.temperstore.internal.config;

import org.eclipse.microprofile.config.spi.Converter;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in properties: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or ISO-8601
 * ({@code PT10S}). SmallRye's own converter takes ISO-8601 only.
 */
public final class DurationConverter implements Converter<Duration> {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    String text = value.strip();
    if (text.isEmpty()) {
      return null;
    }
    Matcher simple = SIMPLE.matcher(text);
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration (use e.g. 500ms, 10s, 5m, 1h or PT10S)");
    }
  }
}
