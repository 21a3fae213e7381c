package dev.temperstore.events;

import dev.temperstore.internal.events.BatchSlots;

import java.time.Duration;

/**
 * Bounds of the event store.
 *
 * @param maxEventsPerAppend  events in one append (and in one appendBatch, and streams in one appendBatch)
 * @param maxEventBytes       JSON size of one event's payload
 * @param maxReadLimit        events or entity ids in one page
 * @param concurrentBatches   append statements in flight at once, per store instance, under light load
 *                            ({@link BatchSlots}); one under load
 * @param maxAppendsPerBatch  appends coalesced into one statement
 * @param maxQueuedAppends    appends waiting for a batch before new ones are refused (503)
 * @param deadline            how long an append may wait in the queue before it is dropped from it (503)
 */
public record EventLimits(int maxEventsPerAppend, int maxEventBytes, int maxReadLimit, int concurrentBatches,
                          int maxAppendsPerBatch, int maxQueuedAppends, Duration deadline) {

  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);
  /**
   * Statements in flight under light load, unless the pool is smaller (measured 4 at 8 clients:
   * docs/decisions/0026-statements-in-flight-under-light-load.md).
   */
  public static final int DEFAULT_CONCURRENT_BATCHES = 4;

  public static EventLimits defaults() {
    return new EventLimits(1000, 262_144, 1000, DEFAULT_CONCURRENT_BATCHES, 256, 4096, DEFAULT_DEADLINE);
  }

  public EventLimits withConcurrentBatches(int concurrentBatches) {
    return new EventLimits(maxEventsPerAppend, maxEventBytes, maxReadLimit, concurrentBatches, maxAppendsPerBatch,
        maxQueuedAppends, deadline);
  }

  public EventLimits withDeadline(Duration deadline) {
    return new EventLimits(maxEventsPerAppend, maxEventBytes, maxReadLimit, concurrentBatches, maxAppendsPerBatch,
        maxQueuedAppends, deadline);
  }
}
