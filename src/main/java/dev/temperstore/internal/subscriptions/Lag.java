package dev.temperstore.internal.subscriptions;

/** How far a reader is behind: events (up to a cap) and the age in seconds of the oldest of them. */
public record Lag(long events, double seconds) {

  public static final Lag NONE = new Lag(0, 0);
}
