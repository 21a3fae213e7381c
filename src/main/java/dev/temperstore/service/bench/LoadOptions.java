package dev.temperstore.service.bench;

import java.time.Duration;

/**
 * One load run.
 *
 * @param duration        how long to measure (after the warm-up); ignored when {@code requests} is positive
 * @param requests        how many requests to measure instead of a duration; 0 means "use the duration"
 * @param streamLength    events each client's stream holds before a read run starts
 * @param alternate       subscribe only: phases of this length alternate appends to the subscribed tenant with
 *                        appends to a tenant without a subscription, so that one run measures both; zero: never
 * @param personal        every event appended marks two payload fields as its client's customer's personal data
 */
public record LoadOptions(Workload workload, int clients, Duration duration, long requests, Duration warmup,
                          int eventsPerAppend, int pageSize, int streamLength, Duration alternate, boolean personal) {

  public LoadOptions(Workload workload, int clients, Duration duration, long requests, Duration warmup,
                     int eventsPerAppend, int pageSize, int streamLength, Duration alternate) {
    this(workload, clients, duration, requests, warmup, eventsPerAppend, pageSize, streamLength, alternate, false);
  }

  /** A run that does not alternate. */
  public LoadOptions(Workload workload, int clients, Duration duration, long requests, Duration warmup,
                     int eventsPerAppend, int pageSize, int streamLength) {
    this(workload, clients, duration, requests, warmup, eventsPerAppend, pageSize, streamLength, Duration.ZERO);
  }

  public boolean alternating() {
    return !alternate.isZero();
  }
}
