package dev.temperstore.service.cli;

import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every unit test (failsafe follows surefire in {@code mvn verify}) and reads the log that whole run
 * wrote at DEBUG: every secret plaintext and personal field the tests used carries
 * {@link TestKeys#PLAINTEXT_MARKER}, and none may
 * appear in it, nor any test master key. Then runs the fat jar with malformed database URLs that carry a password,
 * and reads everything it prints.
 */
class NoPlaintextInLogsIT {

  private static final Path UNIT_TEST_LOG = Path.of("target", "test-logs", "unit-tests.log");
  /** Every password below is made of these halves, so that a leak of either half around a '@' or '/' shows. */
  private static final List<String> PASSWORD_PARTS = List.of("Xyzzy42", "Plugh77");
  private static final List<String> MALFORMED_URLS = List.of(
      "temper:Xyzzy42Plugh77@127.0.0.1/temper",
      "jdbc:postgresql://127.0.0.1/temper?user=temper&password=Xyzzy42Plugh77",
      "postgres://temper:Xyzzy42@Plugh77@127.0.0.1/temper",
      "postgres://temper:Xyzzy42/Plugh77@127.0.0.1/temper",
      "postgres://temper:Xyzzy42Plugh77@127.0.0.1:port/temper");

  @TempDir
  Path workDir;

  @Test
  void the_log_of_the_whole_unit_test_run_holds_no_secret_plaintext_and_no_key() throws IOException {
    assertThat(UNIT_TEST_LOG).exists();
    String log = Files.readString(UNIT_TEST_LOG);

    assertThat(log).contains("rotation left a secret as it is"); // secret work was logged, at DEBUG and above
    assertThat(log).contains("do not decrypt"); // and personal fields' (PersonalDataTest's values carry the marker)
    assertThat(log).doesNotContain(TestKeys.PLAINTEXT_MARKER);
    assertThat(log).doesNotContain(TestKeys.KEY_1).doesNotContain(TestKeys.KEY_2).doesNotContain(TestKeys.LEGACY_KEY);
  }

  @Test
  void a_malformed_database_url_in_the_environment_never_shows_its_password() throws Exception {
    for (String url : MALFORMED_URLS) {
      for (String variable : List.of("DATABASE_URL", "TEMPER_DATABASE_URL")) {
        assertRefusedWithoutPassword(Map.of(variable, url, "TEMPER_LOG_LEVEL", "DEBUG"), List.of(), "serve");
      }
      assertRefusedWithoutPassword(Map.of("DATABASE_URL", "postgres://temper@127.0.0.1/temper",
          "TEMPER_DATABASE_MIGRATION_URL", url, "TEMPER_LOG_LEVEL", "DEBUG"), List.of(), "migrate");
    }
  }

  @Test
  void a_malformed_database_url_on_the_command_line_or_in_a_config_file_never_shows_its_password() throws Exception {
    for (String url : MALFORMED_URLS) {
      assertRefusedWithoutPassword(Map.of("TEMPER_LOG_LEVEL", "DEBUG"), List.of("-Dtemper.database.url=" + url),
          "migrate");
      Path file = workDir.resolve("malformed.properties");
      Files.writeString(file, "temper.database.url=" + url + "\n");
      assertRefusedWithoutPassword(Map.of("TEMPER_LOG_LEVEL", "DEBUG"), List.of(), "serve", "--config",
          file.toString());
    }
  }

  private void assertRefusedWithoutPassword(Map<String, String> env, List<String> jvmArgs, String... args)
      throws InterruptedException {
    try (JarProcess jar = JarProcess.start(workDir, env, jvmArgs, args)) {
      int exit = jar.exitCode(Duration.ofSeconds(60));
      String output = jar.output();

      assertThat(exit).as(output).isEqualTo(ConfigOption.BAD_CONFIG);
      assertThat(output).contains("configuration error: ").contains("is not a PostgreSQL URL: ");
      for (String part : PASSWORD_PARTS) {
        assertThat(output).as("output of %s", String.join(" ", args)).doesNotContain(part);
      }
    }
  }
}
