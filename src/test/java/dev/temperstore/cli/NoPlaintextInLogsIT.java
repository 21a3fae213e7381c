package dev.temperstore.cli;

import dev.temperstore.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every unit test (failsafe follows surefire in {@code mvn verify}) and reads the log that whole run
 * wrote at DEBUG: every secret plaintext the tests used carries {@link TestKeys#PLAINTEXT_MARKER}, and none may
 * appear in it, nor any test master key.
 */
class NoPlaintextInLogsIT {

  private static final Path UNIT_TEST_LOG = Path.of("target", "test-logs", "unit-tests.log");

  @Test
  void the_log_of_the_whole_unit_test_run_holds_no_secret_plaintext_and_no_key() throws IOException {
    assertThat(UNIT_TEST_LOG).exists();
    String log = Files.readString(UNIT_TEST_LOG);

    assertThat(log).contains("rotation left a secret as it is"); // secret work was logged, at DEBUG and above
    assertThat(log).doesNotContain(TestKeys.PLAINTEXT_MARKER);
    assertThat(log).doesNotContain(TestKeys.KEY_1).doesNotContain(TestKeys.KEY_2).doesNotContain(TestKeys.LEGACY_KEY);
  }
}
