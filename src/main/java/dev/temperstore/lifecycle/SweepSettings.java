package dev.temperstore.lifecycle;

import java.time.Duration;

/**
 * How the sweeper removes rows that are no longer served ({@code temper.lifecycle.*}). Every instance runs one;
 * a PostgreSQL advisory lock lets one of them, among every process on the database, sweep at a time.
 *
 * @param interval how long the sweeper rests after a round that found less than a batch to remove; zero turns it
 *                 off in this instance (hidden rows then stay until another instance sweeps)
 * @param batch    rows one round removes at most, in one short transaction
 */
public record SweepSettings(Duration interval, int batch) {

  public static final int MAX_BATCH = 100_000;

  public SweepSettings {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("temper.lifecycle.sweep-interval must not be negative");
    }
    if (batch < 1 || batch > MAX_BATCH) {
      throw new IllegalArgumentException("temper.lifecycle.sweep-batch must be between 1 and " + MAX_BATCH
          + ", got " + batch);
    }
  }

  public static SweepSettings defaults() {
    return new SweepSettings(Duration.ofSeconds(1), 1000);
  }

  public boolean enabled() {
    return !interval.isZero();
  }
}
