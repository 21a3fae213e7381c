package dev.temperstore.service.bench;

import dev.temperstore.internal.events.AppendMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The store's own split of an append's time over the measured part of an in-process run: the batcher's queue wait
 * and statement time ({@link AppendMetrics}), as the difference of their histograms between the start and the end
 * of the measurement, so that the warm-up does not count. Percentiles are interpolated within Micrometer's buckets
 * (about a tenth to a third apart), good for telling where the time went, not to the microsecond.
 */
final class StoreTimings {

  private final MeterRegistry registry;
  private Totals atStart = Totals.EMPTY;

  StoreTimings(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * A registry that keeps the histograms' buckets (Micrometer's simple registry drops them) and every value of a
   * run (by default they are forgotten after minutes).
   */
  static MeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return DistributionStatisticConfig.builder().expiry(Duration.ofDays(1)).bufferLength(1).build()
            .merge(config);
      }
    });
    return registry;
  }

  /** The measurement starts now. */
  void start() {
    atStart = totals();
  }

  /** What the store recorded since {@link #start}; empty if it wrote no statement meanwhile (reads, secrets). */
  Optional<Figures> figures() {
    Totals now = totals();
    long statements = now.statements.count() - atStart.statements.count();
    if (statements == 0) {
      return Optional.empty();
    }
    return Optional.of(new Figures(
        percentileMs(atStart.queued, now.queued, 0.5), percentileMs(atStart.queued, now.queued, 0.99),
        percentileMs(atStart.statements, now.statements, 0.5), percentileMs(atStart.statements, now.statements, 0.99),
        (now.requests - atStart.requests) / statements));
  }

  private Totals totals() {
    Timer queued = registry.find(AppendMetrics.QUEUED).timer();
    Timer statements = registry.find(AppendMetrics.STATEMENTS).timer();
    DistributionSummary requests = registry.find(AppendMetrics.REQUESTS_PER_STATEMENT).summary();
    if (queued == null || statements == null || requests == null) {
      return Totals.EMPTY;
    }
    return new Totals(queued.takeSnapshot(), statements.takeSnapshot(), requests.totalAmount());
  }

  /**
   * The {@code q} quantile of the values recorded between two snapshots of one histogram, whose bucket counts are
   * cumulative (values at or under each bound), interpolated linearly within the bucket it falls in.
   */
  static double percentileMs(HistogramSnapshot before, HistogramSnapshot after, double q) {
    CountAtBucket[] buckets = after.histogramCounts();
    long total = after.count() - before.count();
    if (total == 0 || buckets.length == 0) {
      return 0;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (CountAtBucket bucket : buckets) {
      double count = bucket.count() - countAt(before, bucket.bucket());
      double bound = bucket.bucket(TimeUnit.MILLISECONDS);
      if (count >= rank) {
        return count == lowerCount ? bound
            : lowerBound + (bound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
      }
      lowerBound = bound;
      lowerCount = count;
    }
    return lowerBound; // beyond the last bucket (30 s): reported as that bound
  }

  private static double countAt(HistogramSnapshot snapshot, double bound) {
    for (CountAtBucket bucket : snapshot.histogramCounts()) {
      if (bucket.bucket() == bound) {
        return bucket.count();
      }
    }
    return 0;
  }

  private record Totals(HistogramSnapshot queued, HistogramSnapshot statements, double requests) {
    static final Totals EMPTY = new Totals(HistogramSnapshot.empty(0, 0, 0), HistogramSnapshot.empty(0, 0, 0), 0);
  }

  /** Milliseconds, and the mean requests of a statement. */
  record Figures(double queuedP50, double queuedP99, double statementP50, double statementP99,
                 double requestsPerStatement) {

    JsonObject toJson() {
      return new JsonObject()
          .put("queuedMs", new JsonObject().put("p50", queuedP50).put("p99", queuedP99))
          .put("statementMs", new JsonObject().put("p50", statementP50).put("p99", statementP99))
          .put("requestsPerStatement", requestsPerStatement);
    }

    String toText() {
      return String.format(Locale.ROOT, "in the store, ms: queued p50 %.2f  p99 %.2f; statement p50 %.2f  p99 %.2f;"
          + " %.1f requests a statement", queuedP50, queuedP99, statementP50, statementP99, requestsPerStatement);
    }
  }
}
