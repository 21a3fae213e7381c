package dev.temperstore.migration;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Released steps never change: a database that applied one keeps its checksum in the ledger and refuses a changed
 * one at the next start. Checked here without a database, against the list of released steps (taken from a ledger
 * the release wrote), so that moving a step's SQL around (one object per file) cannot change it unnoticed.
 */
class ReleasedStepsTest {

  @Test
  void every_released_step_keeps_its_position_label_and_sql_and_new_steps_come_after_them() throws IOException {
    List<String> released = released();
    List<String> current = new ArrayList<>();
    List<MigrationStep> steps = Schema.steps();
    for (int i = 0; i < steps.size(); i++) {
      current.add((i + 1) + "\t" + steps.get(i).label() + "\t" + steps.get(i).checksum());
    }

    assertThat(current).as("the steps of this build, in order").startsWith(released.toArray(String[]::new));
    assertThat(current).as("every step is listed as released (add a new one in its own commit)")
        .hasSameSizeAs(released);
  }

  private static List<String> released() throws IOException {
    try (InputStream in = ReleasedStepsTest.class.getResourceAsStream("/migration/released-steps.tsv")) {
      assertThat(in).as("migration/released-steps.tsv").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
    }
  }
}
