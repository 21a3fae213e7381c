package dev.temperstore.internal.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Where an append's time goes inside the store, as histograms an operator (or the bench) can read: how long it
 * waited in the batcher's queue for a statement, how long its statement took in PostgreSQL (commit included), and
 * how many requests each statement carried. An append's latency beyond the two is the event bus and the event
 * loops. The histograms start at 50 µs because a lone append's statement takes a few hundred.
 */
public final class AppendMetrics {

  public static final String QUEUED = "temper.store.append.queued";
  public static final String STATEMENTS = "temper.store.append.statements";
  public static final String REQUESTS_PER_STATEMENT = "temper.store.append.statement.requests";
  public static final String RESENT = "temper.store.append.resent";

  private static final Duration SHORTEST = Duration.ofNanos(50_000);
  private static final Duration LONGEST = Duration.ofSeconds(30);

  private final Timer queued;
  private final Timer statements;
  private final DistributionSummary requests;
  private final Counter resent;

  private AppendMetrics(MeterRegistry registry) {
    queued = Timer.builder(QUEUED)
        .description("Time an append request waited in its store instance's queue until its statement went out")
        .publishPercentileHistogram().minimumExpectedValue(SHORTEST).maximumExpectedValue(LONGEST)
        .register(registry);
    statements = Timer.builder(STATEMENTS)
        .description("Append statements, from sending to their result (the commit included)")
        .publishPercentileHistogram().minimumExpectedValue(SHORTEST).maximumExpectedValue(LONGEST)
        .register(registry);
    requests = DistributionSummary.builder(REQUESTS_PER_STATEMENT)
        .description("Append requests written together by one statement (group commit)")
        .register(registry);
    resent = Counter.builder(RESENT)
        .description("Append requests sent again in a new statement because a stream reached the position they"
            + " expected only after their statement had checked it")
        .register(registry);
  }

  /** Meters registered in {@code registry}; the store instances of one registry share them. */
  public static AppendMetrics to(MeterRegistry registry) {
    return new AppendMetrics(registry);
  }

  /** Nothing recorded: a registry without members keeps no values. */
  public static AppendMetrics none() {
    return new AppendMetrics(new CompositeMeterRegistry());
  }

  void queued(long nanos) {
    queued.record(nanos, TimeUnit.NANOSECONDS);
  }

  void statement(int requestCount, long nanos) {
    statements.record(nanos, TimeUnit.NANOSECONDS);
    requests.record(requestCount);
  }

  void resent() {
    resent.increment();
  }
}
