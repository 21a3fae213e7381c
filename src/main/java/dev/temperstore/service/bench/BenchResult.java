package dev.temperstore.service.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What one measured load run achieved. Latencies are in milliseconds. */
public record BenchResult(Workload workload, int clients, int eventsPerAppend, double seconds, long operations,
                          long events, double p50, double p90, double p99, double p999, double max,
                          Map<Integer, Long> errorsByCode, java.util.Optional<DeliveryFigures> delivery,
                          java.util.Optional<StoreTimings.Figures> store) {

  static BenchResult of(LoadOptions options, double seconds, long operations, long events, Histogram micros,
                        Map<Integer, Long> errors) {
    return new BenchResult(options.workload(), options.clients(), options.eventsPerAppend(), seconds, operations,
        events, ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
        ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()),
        new TreeMap<>(errors), java.util.Optional.empty(), java.util.Optional.empty());
  }

  BenchResult withDelivery(DeliveryFigures figures) {
    return new BenchResult(workload, clients, eventsPerAppend, seconds, operations, events, p50, p90, p99, p999, max,
        errorsByCode, java.util.Optional.of(figures), store);
  }

  /** With the store's own split of the time, when the store ran in the bench's process. */
  BenchResult withStore(java.util.Optional<StoreTimings.Figures> timings) {
    return new BenchResult(workload, clients, eventsPerAppend, seconds, operations, events, p50, p90, p99, p999, max,
        errorsByCode, delivery, timings);
  }

  public double operationsPerSecond() {
    return operations / seconds;
  }

  public double eventsPerSecond() {
    return events / seconds;
  }

  public long errors() {
    return errorsByCode.values().stream().mapToLong(Long::longValue).sum();
  }

  public JsonObject toJson() {
    JsonObject errors = new JsonObject();
    errorsByCode.forEach((code, count) -> errors.put(Integer.toString(code), count));
    JsonObject json = new JsonObject()
        .put("workload", workload.name().toLowerCase(Locale.ROOT))
        .put("clients", clients)
        .put("eventsPerAppend", eventsPerAppend)
        .put("seconds", seconds)
        .put("operations", operations)
        .put("operationsPerSecond", operationsPerSecond())
        .put("events", events)
        .put("eventsPerSecond", eventsPerSecond())
        .put("latencyMs", new JsonObject().put("p50", p50).put("p90", p90).put("p99", p99).put("p99.9", p999)
            .put("max", max))
        .put("errorsByCode", errors);
    store.ifPresent(timings -> json.put("store", timings.toJson()));
    delivery.ifPresent(figures -> json.put("appendsPerSecond", figures.appendsPerSecond())
        .put("deliveredPerSecond", figures.deliveredPerSecond()).put("missing", figures.missing())
        .put("duplicates", figures.duplicates()).put("p50LatencyMs", figures.p50LatencyMs())
        .put("p99LatencyMs", figures.p99LatencyMs()));
    delivery.flatMap(DeliveryFigures::alternation).ifPresent(phases -> json
        .put("appendsPerSecondWithout", phases.without()).put("withToWithout", phases.ratio())
        .put("phaseSeconds", phases.phaseSeconds()).put("phases", phases.phases()));
    return json;
  }

  public String toText() {
    return String.format(Locale.ROOT, "%s, %d clients, %d events/append: %d operations in %.1f s = %.0f ops/s,"
            + " %.0f events/s%nlatency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%nerrors: %s",
        workload.name().toLowerCase(Locale.ROOT), clients, eventsPerAppend, operations, seconds,
        operationsPerSecond(), eventsPerSecond(), p50, p90, p99, p999, max,
        errorsByCode.isEmpty() ? "none" : errorsByCode)
        + store.map(timings -> System.lineSeparator() + timings.toText()).orElse("")
        + delivery.map(figures -> String.format(Locale.ROOT, "%nsubscription: %.0f appends/s, %.0f delivered/s,"
            + " missing %d, duplicates %d, creation to delivery ms: p50 %.2f  p99 %.2f", figures.appendsPerSecond(),
            figures.deliveredPerSecond(), figures.missing(), figures.duplicates(), figures.p50LatencyMs(),
            figures.p99LatencyMs())
            + figures.alternation().map(phases -> System.lineSeparator() + phases.toText()).orElse("")).orElse("");
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
