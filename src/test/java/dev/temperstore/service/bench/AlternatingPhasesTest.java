package dev.temperstore.service.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The phases of an alternating subscribe run: when they turn, and what each kind is credited with. */
class AlternatingPhasesTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void phases_turn_at_their_length_starting_with_the_subscription_and_each_kind_gets_its_own_rate() {
    AlternatingPhases phases = new AlternatingPhases(Duration.ofSeconds(2));
    phases.current().appends.add(999); // warm-up: not counted
    phases.startMeasuring(10 * SECOND);

    assertThat(phases.current().subscribed).isTrue();
    phases.current().appends.add(2000);
    phases.turnIfDue(11 * SECOND);
    assertThat(phases.current().subscribed).as("not yet due").isTrue();
    phases.turnIfDue(12 * SECOND);
    assertThat(phases.current().subscribed).isFalse();
    assertThat(phases.nextTurn()).isEqualTo(14 * SECOND);
    phases.current().appends.add(5000);
    phases.turnIfDue(14 * SECOND);
    phases.current().appends.add(1000); // a last phase cut short by the end: counted for the time it ran
    phases.stopMeasuring(15 * SECOND);

    AlternatingPhases.Figures figures = phases.figures();
    assertThat(figures.with()).isCloseTo(3000 / 3.0, within(1e-9));
    assertThat(figures.without()).isCloseTo(2500, within(1e-9));
    assertThat(figures.ratio()).isCloseTo(1000 / 2500.0, within(1e-9));
    assertThat(figures.phases()).hasSize(3);
    assertThat(figures.phases().getJsonObject(1).getBoolean("subscribed")).isFalse();
    assertThat(figures.phases().getJsonObject(2).getDouble("seconds")).isCloseTo(1.0, within(1e-9));
  }
}
