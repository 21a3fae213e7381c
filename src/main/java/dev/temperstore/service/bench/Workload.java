package dev.temperstore.service.bench;

/** What each simulated client does, one request after another. */
public enum Workload {
  /** Appends {@code --events-per-append} events to its own stream. */
  APPEND,
  /** Reads pages of {@code --page-size} events from its own pre-filled stream, at random positions. */
  READ,
  /** 60% appends, 30% page reads, 10% snapshot saves, on its own stream. */
  MIXED,
  /** Puts a 64-byte secret into its own tenant, cycling over 50 names (so mostly replacing). */
  SECRET_PUT,
  /** Gets one of the 50 secrets of its own tenant, filled first. */
  SECRET_GET,
  /** Appends as {@link #APPEND} does, while one subscription delivers every event to a consumer in this JVM. */
  SUBSCRIBE
}
