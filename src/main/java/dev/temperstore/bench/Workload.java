package dev.temperstore.bench;

/** What each simulated client does, one request after another. */
public enum Workload {
  /** Appends {@code --events-per-append} events to its own stream. */
  APPEND,
  /** Reads pages of {@code --page-size} events from its own pre-filled stream, at random positions. */
  READ,
  /** 60% appends, 30% page reads, 10% snapshot saves, on its own stream. */
  MIXED
}
