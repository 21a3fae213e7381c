package dev.temperstore.lab;

import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchPayloads;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw-PostgreSQL baselines, run with the {@code pgbench} of the PostgreSQL client tools against the same
 * server and the same {@code events} table shape and payload: a single-row INSERT per transaction, a 10-row
 * INSERT per transaction, and a page read of 100 events.
 */
final class PgBench {

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

  /** What one pgbench run achieved: transactions per second and their mean latency. */
  record Result(double tps, double latencyMs) {
  }

  private PgBench() {
  }

  static String insertScript(int rowsPerTransaction) {
    StringBuilder values = new StringBuilder();
    for (int i = 1; i <= rowsPerTransaction; i++) {
      values.append(i == 1 ? "" : ", ").append("('bench', 'Order', 'pg-' || :client_id || '-' || :n, ").append(i)
          .append(", 'OrderLineAdded', '").append(BenchPayloads.PAYLOAD_JSON).append("', '")
          .append(BenchPayloads.METADATA_JSON).append("')");
    }
    return "\\set n random(1, 9000000000000000000)\n"
        + "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata) VALUES "
        + values + ";\n";
  }

  /** SQL that fills {@code streams} streams of {@code length} events for the read baseline. */
  static String fillForReads(int streams, int length) {
    return "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
        + " SELECT 'bench', 'Order', 'r-' || s, n, 'OrderLineAdded', '" + BenchPayloads.PAYLOAD_JSON + "', '"
        + BenchPayloads.METADATA_JSON + "' FROM generate_series(1, " + streams + ") s, generate_series(1, "
        + length + ") n; ANALYZE events";
  }

  static String readScript(int streams, int length, int pageSize) {
    return "\\set s random(1, " + streams + ")\n\\set f random(0, " + Math.max(0, length - pageSize) + ")\n"
        + "SELECT sequence_nr, event_type, payload, metadata FROM events WHERE tenant = 'bench'"
        + " AND entity_type = 'Order' AND entity_id = 'r-' || :s AND sequence_nr > :f ORDER BY sequence_nr LIMIT "
        + pageSize + ";\n";
  }

  /** Runs {@code script} with {@code clients} clients for {@code duration}; {@code options} go to pgbench as given. */
  static Result run(DatabaseTarget database, String script, int clients, Duration duration, String... options)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile("temper-pgbench", ".sql");
    try {
      Files.writeString(file, script);
      PgConnectOptions o = database.options();
      List<String> command = new ArrayList<>(List.of("pgbench", "-n", "-h", o.getHost(), "-p",
          Integer.toString(o.getPort()), "-U", o.getUser(), "-c", Integer.toString(clients), "-j",
          Integer.toString(Math.min(clients, 2)), "-T", Long.toString(duration.toSeconds()), "-f", file.toString()));
      command.addAll(List.of(options));
      command.add(o.getDatabase());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (o.getPassword() != null && !o.getPassword().isEmpty()) {
        builder.environment().put("PGPASSWORD", o.getPassword());
      }
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      Matcher tps = TPS.matcher(output);
      Matcher latency = LATENCY.matcher(output);
      if (exit != 0 || !tps.find() || !latency.find()) {
        throw new IllegalStateException("pgbench failed (exit " + exit + "):\n" + output);
      }
      return new Result(Double.parseDouble(tps.group(1)), Double.parseDouble(latency.group(1)));
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
