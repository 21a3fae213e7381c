package dev.temperstore.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantTest {

  private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

  @Test
  void formatsAndParsesExactlyAsTheJdkAcrossTheWholeQuickRange() {
    SplittableRandom random = new SplittableRandom(20261126);
    for (int i = 0; i < 200_000; i++) {
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant instant = Instant.ofEpochSecond(random.nextLong(YEAR_0 - 100, YEAR_10000 + 100), nano);
      String text = IsoInstant.format(instant);
      assertThat(text).isEqualTo(instant.toString());
      assertThat(IsoInstant.parse(text)).isEqualTo(instant);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-26T10:15:30Z", "2026-11-26T10:15:30.1Z", "2026-11-26T10:15:30.12345678Z",
      "2026-11-26T10:15:30.123456789Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
      "2024-02-29T12:00:00Z", "2026-12-31T23:59:60Z", "2026-11-26T24:00:00Z", "2026-11-26t10:15:30z",
      "2026-11-26T10:15Z", "+12026-11-26T10:15:30Z", "-0001-11-26T10:15:30Z", "2026-11-26T10:15:30+02:00", "2026-11-26T10:15:30.Z"})
  void readsWhatTheJdkReadsAndNothingElse(String text) {
    Object jdk = outcome(() -> Instant.parse(text));
    Object ours = outcome(() -> IsoInstant.parse(text));
    assertThat(ours).isEqualTo(jdk);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2026-11-26", "2026-11-26T10:15:30.1234567890Z",
      "2026-02-30T10:15:30Z", "2026-13-01T10:15:30Z", "2026-11-26T10:60:30Z", "2026-1x-26T10:15:30Z",
      "2026-11-26T10:15:30,5Z", "2026-11-26 10:15:30Z", "2026-11-26T10:15:30.12a4Z", "not a time at all, no"})
  void refusesWhatTheJdkRefuses(String text) {
    assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> IsoInstant.parse(text)).isInstanceOf(DateTimeParseException.class);
  }

  private static Object outcome(java.util.function.Supplier<Instant> parse) {
    try {
      return parse.get();
    } catch (DateTimeException e) {
      return e.getClass();
    }
  }
}
