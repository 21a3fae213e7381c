package dev.temperstore.service.cli;

import dev.temperstore.testing.Await;
import dev.temperstore.testing.JarProcess;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The service on its embedded PostgreSQL: durable, restartable after kill -9, and one service per data folder. */
class EmbeddedServerIT {

  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  private static final Pattern LISTENING = Pattern.compile("embedded PostgreSQL listening on 127\\.0\\.0\\.1:(\\d+)");

  private static Vertx vertx;

  @TempDir
  Path workDir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @Test
  void a_start_after_kill_9_stops_the_postgres_left_behind_and_keeps_the_data_and_a_second_service_is_refused()
      throws Exception {
    Map<String, String> env = Map.of("TEMPER_EMBEDDED_DATA_DIR", workDir.resolve("pg").toString(),
        "TEMPER_HTTP_PORT", "0");
    try (JarProcess first = JarProcess.start(workDir, env, "serve")) {
      int port = port(first.awaitLine(line -> line.contains("embedded PostgreSQL listening on"), TIMEOUT));
      first.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      assertThat(first.output()).contains("durable");
      query(port, "SHOW fsync", "on");
      query(port, "SHOW synchronous_commit", "on");
      query(port, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before the crash')", null);

      first.kill();

      try (JarProcess second = JarProcess.start(workDir, env, "serve")) {
        second.awaitLine(line -> line.contains("temper-store ready in"), Duration.ofSeconds(60));
        int secondPort = port(second.awaitLine(line -> line.contains("embedded PostgreSQL listening on"), TIMEOUT));
        assertThat(second.output()).contains("left running by an earlier run");
        query(secondPort, "SELECT note FROM kept", "before the crash");

        try (JarProcess third = JarProcess.start(workDir, env, "serve")) {
          assertThat(third.exitCode(TIMEOUT)).isEqualTo(1);
          assertThat(third.output()).contains("start failed: another temper-store is using the embedded PostgreSQL"
              + " data folder " + workDir.resolve("pg")).doesNotContain("\tat ");
        }
        second.terminate();
        second.exitCode(TIMEOUT);
      }
    }
  }

  private static int port(String line) {
    Matcher matcher = LISTENING.matcher(line);
    assertThat(matcher.find()).as(line).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  private static void query(int port, String sql, String expected) {
    Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
        .setUser("postgres").setDatabase("postgres")).using(vertx).build();
    try {
      var rows = pool.query(sql).execute().await();
      if (expected != null) {
        assertThat(rows.iterator().next().getString(0)).isEqualTo(expected);
      }
    } finally {
      pool.close().await();
    }
  }
}
