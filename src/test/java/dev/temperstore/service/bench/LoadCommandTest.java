package dev.temperstore.service.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** bench's options that cannot make a meaningful run are refused with exit code 2, before any database is touched. */
class LoadCommandTest {

  @Test
  void an_alternation_that_could_not_measure_both_kinds_of_phase_is_refused_naming_the_option() {
    assertRefused("--alternate must be at most half of --duration",
        "--workload", "subscribe", "--alternate", "30s", "--duration", "20s");
    assertRefused("--alternate needs a --duration, not --requests",
        "--workload", "SUBSCRIBE", "--alternate", "5s", "--requests", "100");
    assertRefused("--alternate must be at least 100ms", "--workload", "Subscribe", "--alternate", "50ms");
    assertRefused("--alternate is for --workload subscribe only", "--workload", "append", "--alternate", "5s");
    assertRefused("not a duration", "--workload", "subscribe", "--alternate", "99999999999d");
  }

  private static void assertRefused(String message, String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = new CommandLine(new LoadCommand()).execute(args);
    } finally {
      System.setErr(original);
    }
    assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
  }
}
