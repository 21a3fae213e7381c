package dev.temperstore.service.cli;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** issue-token never prints a token the bridge would refuse: its --ttl is held to the lifetime cap. */
class IssueTokenCommandTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";

  @Test
  void a_ttl_longer_than_the_max_token_lifetime_is_refused_and_one_within_it_prints_a_token_that_expires(
      @TempDir Path dir) throws IOException {
    Path config = dir.resolve("application.properties");
    Files.writeString(config, "temper.bridge.auth.jwt-secret=" + SECRET + "\n"
        + "temper.bridge.auth.max-token-lifetime=2h\n");

    Run refused = run("--config", config.toString(), "--subject", "s", "--tenant", "acme", "--permissions", "read",
        "--ttl", "3h");
    Run issued = run("--config", config.toString(), "--subject", "s", "--tenant", "acme", "--permissions", "read",
        "--ttl", "2h");

    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).contains("issue-token: --ttl 3h is longer than temper.bridge.auth.max-token-lifetime");
    assertThat(issued.exit()).isZero();
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(issued.out().strip().split("\\.")[1]),
        StandardCharsets.UTF_8));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(7200);
    assertThat(claims.getString("jti")).isNotBlank();
  }

  private record Run(int exit, String out, String err) {
  }

  private static Run run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new IssueTokenCommand()).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
