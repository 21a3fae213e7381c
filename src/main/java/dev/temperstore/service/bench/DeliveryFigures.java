package dev.temperstore.service.bench;

import java.util.Optional;

/**
 * What the subscription of a {@code subscribe} run delivered. Latencies are in milliseconds from each event's
 * creation (its metadata timestamp, taken just before its append is sent) to its delivery: commit to delivery plus
 * the append's own time, an upper bound of commit to delivery. In an alternating run, {@code appendsPerSecond} is
 * that of the phases with the subscription, and {@code alternation} has both kinds of phase.
 */
public record DeliveryFigures(double appendsPerSecond, double deliveredPerSecond, long missing, long duplicates,
                              double p50LatencyMs, double p99LatencyMs,
                              Optional<AlternatingPhases.Figures> alternation) {
}
