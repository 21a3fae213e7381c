package dev.temperstore.service.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The phases of an alternating {@code subscribe} run: appends go to the subscribed tenant for one phase, to a
 * tenant without a subscription for the next, and so on. One run then measures appends with and without a
 * subscription delivering, interleaved in time, where separate runs differed by a fifth or more on this kind of
 * machine whatever they measured. The bench's thread turns the phases; clients read the current one.
 */
public final class AlternatingPhases {

  /** One phase: which tenant takes the appends, and how many were acknowledged of those it started. */
  static final class Phase {
    final boolean subscribed;
    final long started;
    final LongAdder appends = new LongAdder();
    long ended;

    private Phase(boolean subscribed, long started) {
      this.subscribed = subscribed;
      this.started = started;
    }

    double seconds() {
      return (ended - started) / 1e9;
    }
  }

  private final long lengthNanos;
  private volatile Phase current;
  /** The measured phases, ended; touched by the bench's thread only. */
  private final List<Phase> measured = new ArrayList<>();
  private boolean measuring;

  AlternatingPhases(Duration length) {
    this.lengthNanos = length.toNanos();
    this.current = new Phase(true, System.nanoTime());
  }

  /** The phase an append starting now belongs to. */
  Phase current() {
    return current;
  }

  /** When the current phase is due to end ({@link System#nanoTime()}). */
  long nextTurn() {
    return current.started + lengthNanos;
  }

  /** Ends the current phase and starts the other kind, if its time is up. */
  void turnIfDue(long now) {
    Phase ending = current;
    if (now >= ending.started + lengthNanos) {
      end(ending, now);
      current = new Phase(!ending.subscribed, now);
    }
  }

  /** The measurement starts: phases are counted from a fresh one with the subscription. */
  void startMeasuring(long now) {
    measuring = true;
    current = new Phase(true, now);
  }

  /** The measurement ends, and with it the current phase (counted for the time it ran). */
  void stopMeasuring(long now) {
    end(current, now);
    measuring = false;
  }

  private void end(Phase phase, long now) {
    phase.ended = now;
    if (measuring) {
      measured.add(phase);
    }
  }

  /** What the measured phases achieved; appends finish after their phase ends, so read it once they are in. */
  Figures figures() {
    double[] seconds = new double[2];
    long[] appends = new long[2];
    JsonArray phases = new JsonArray();
    for (Phase phase : measured) {
      int kind = phase.subscribed ? 1 : 0;
      seconds[kind] += phase.seconds();
      appends[kind] += phase.appends.sum();
      phases.add(new JsonObject().put("subscribed", phase.subscribed).put("seconds", phase.seconds())
          .put("appendsPerSecond", phase.appends.sum() / phase.seconds()));
    }
    return new Figures(lengthNanos / 1e9, appends[1] / seconds[1], appends[0] / seconds[0], phases);
  }

  /**
   * @param phaseSeconds the length of each phase
   * @param with         appends per second in the phases with the subscription delivering them
   * @param without      appends per second in the phases without
   * @param phases       each measured phase in turn: {@code subscribed}, {@code seconds}, {@code appendsPerSecond}
   */
  public record Figures(double phaseSeconds, double with, double without, JsonArray phases) {

    public double ratio() {
      return with / without;
    }

    String toText() {
      return String.format(Locale.ROOT, "alternating %.0f s phases: %.0f appends/s with the subscription,"
          + " %.0f without: %.2fx", phaseSeconds, with, without, ratio());
    }
  }
}
