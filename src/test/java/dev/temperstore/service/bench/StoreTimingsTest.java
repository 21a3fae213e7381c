package dev.temperstore.service.bench;

import dev.temperstore.internal.events.AppendMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The bench's split of an append's time counts only what the store recorded after the warm-up. */
class StoreTimingsTest {

  @Test
  void percentiles_and_requests_per_statement_cover_only_what_was_recorded_after_the_start() {
    MeterRegistry registry = StoreTimings.registry();
    AppendMetrics.to(registry);
    StoreTimings timings = new StoreTimings(registry);
    record(registry, 100, 500, 40); // the warm-up: slow, and large batches
    timings.start();
    record(registry, 90, 1, 2);
    record(registry, 10, 20, 2);

    StoreTimings.Figures figures = timings.figures().orElseThrow();

    assertThat(figures.queuedP50()).isCloseTo(1.0, within(0.2));
    assertThat(figures.statementP50()).isCloseTo(1.0, within(0.2));
    assertThat(figures.queuedP99()).isBetween(15.0, 25.0);
    assertThat(figures.statementP99()).isBetween(15.0, 25.0);
    assertThat(figures.requestsPerStatement()).isEqualTo(2.0);
  }

  @Test
  void a_run_without_append_statements_has_no_store_figures() {
    MeterRegistry registry = StoreTimings.registry();
    AppendMetrics.to(registry);
    StoreTimings timings = new StoreTimings(registry);
    record(registry, 5, 3, 1);
    timings.start();

    assertThat(timings.figures()).isEmpty();
  }

  private static void record(MeterRegistry registry, int times, long millis, int requests) {
    for (int i = 0; i < times; i++) {
      registry.get(AppendMetrics.QUEUED).timer().record(millis, TimeUnit.MILLISECONDS);
      registry.get(AppendMetrics.STATEMENTS).timer().record(millis, TimeUnit.MILLISECONDS);
      registry.get(AppendMetrics.REQUESTS_PER_STATEMENT).summary().record(requests);
    }
  }
}
