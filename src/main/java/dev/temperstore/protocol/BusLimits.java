package dev.temperstore.protocol;

/**
 * Bounds on what one request may carry, checked when it is decoded, before anything reaches the database.
 *
 * @param maxInFlight        requests one verticle instance works on at once; beyond, 503 at once
 * @param maxEventsPerAppend events in one append (413 beyond)
 * @param maxReadLimit       events or entity ids in one page
 * @param maxSnapshotBytes   size of one snapshot's state (413 beyond)
 */
public record BusLimits(int maxInFlight, int maxEventsPerAppend, int maxReadLimit, int maxSnapshotBytes) {

  public static BusLimits defaults() {
    return new BusLimits(1024, 1000, 1000, 4_194_304);
  }
}
