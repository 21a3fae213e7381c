package dev.temperstore.lab;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.migration.MigrationStep;
import dev.temperstore.migration.Schema;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.postgres.DatabaseUrl;
import dev.temperstore.service.bench.BenchDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Times the migration pipeline beside raw baselines on the same server in the same run, and the fat jar's time
 * from {@code java -jar} to ready beside a bare JVM start of the same jar.
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.MigrationBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 * The URL must be a role that may create and drop databases; each run uses databases of its own.
 */
@Command(name = "migration-benchmark", mixinStandardHelpOptions = true,
    description = "Median times of the migration pipeline and of the service start, beside baselines.")
public final class MigrationBenchmark implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--runs", defaultValue = "9", description = "Runs per figure (default ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--startup-runs", defaultValue = "5",
      description = "Process starts per startup figure; 0 skips them (default ${DEFAULT-VALUE})")
  int startupRuns;

  private Vertx vertx;
  private PgConnectOptions server;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MigrationBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    server = DatabaseUrl.parse(url);
    vertx = Vertx.vertx();
    try {
      String version = adminQuery("SHOW server_version");
      System.out.printf("PostgreSQL %s at %s, %d runs per figure (medians), %d CPUs%n", version,
          DatabaseUrl.describe(server), runs, Runtime.getRuntime().availableProcessors());
      warmUp();
      List<Double> rawDdl = new ArrayList<>();
      List<Double> fresh = new ArrayList<>();
      List<Double> connectAndQuery = new ArrayList<>();
      List<Double> noop = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        rawDdl.add(onFreshDatabase(this::rawDdlMillis));
        BenchDatabase database = BenchDatabase.create(vertx, admin());
        fresh.add(pipelineMillis(database));
        connectAndQuery.add(connectAndQueryMillis(database));
        noop.add(pipelineMillis(database));
        database.close();
      }
      System.out.println();
      System.out.println("| figure | median ms | baseline | baseline median ms | ratio |");
      System.out.println("|---|---:|---|---:|---:|");
      row("pipeline, fresh database (" + Schema.steps().size() + " steps)", fresh,
          "same DDL in one transaction, no lock or ledger", rawDdl);
      row("pipeline, up-to-date database (no-op)", noop, "new connection + one query", connectAndQuery);
      if (startupRuns > 0) {
        startupFigures();
      }
      return 0;
    } finally {
      vertx.close().await();
    }
  }

  private void startupFigures() throws Exception {
    List<Double> bareJvm = new ArrayList<>();
    List<Double> readyUpToDate = new ArrayList<>();
    List<Double> readyFresh = new ArrayList<>();
    BenchDatabase database = BenchDatabase.create(vertx, admin());
    try {
      for (int i = 0; i < startupRuns; i++) {
        bareJvm.add(processMillis(List.of("--version"), null, "temper-store"));
        BenchDatabase freshDb = BenchDatabase.create(vertx, admin());
        readyFresh.add(processMillis(List.of("serve"), freshDb, "temper-store ready in"));
        freshDb.close();
        readyUpToDate.add(processMillis(List.of("serve"), database, "temper-store ready in"));
      }
    } finally {
      database.close();
    }
    row("java -jar serve to ready, up-to-date database", readyUpToDate, "java -jar --version (JVM start)", bareJvm);
    row("java -jar serve to ready, fresh database", readyFresh, "java -jar --version (JVM start)", bareJvm);
  }

  private void warmUp() {
    // JIT and class loading would otherwise land on the first measured run only.
    for (int i = 0; i < 2; i++) {
      BenchDatabase database = BenchDatabase.create(vertx, admin());
      pipelineMillis(database);
      pipelineMillis(database);
      database.close();
    }
  }

  private double pipelineMillis(BenchDatabase database) {
    MigrationPipeline pipeline = MigrationPipeline.standard(MigrationSettings.defaults());
    long started = System.nanoTime();
    pipeline.run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(2));
    return millisSince(started);
  }

  private double rawDdlMillis(BenchDatabase database) {
    Pool pool = database.target().pool(vertx, 1);
    try {
      long started = System.nanoTime();
      SqlConnection connection = pool.getConnection().await();
      connection.query("BEGIN").execute().await();
      for (MigrationStep step : Schema.steps()) {
        connection.query(step.sql()).execute().await();
      }
      connection.query("COMMIT").execute().await();
      connection.close().await();
      return millisSince(started);
    } finally {
      pool.close().await();
    }
  }

  private double connectAndQueryMillis(BenchDatabase database) {
    Pool pool = database.target().pool(vertx, 1);
    try {
      long started = System.nanoTime();
      SqlConnection connection = pool.getConnection().await();
      connection.query("SELECT 1").execute().await();
      connection.close().await();
      return millisSince(started);
    } finally {
      pool.close().await();
    }
  }

  /** Starts the jar, times it until a line containing {@code readyMarker}, then stops it with SIGTERM. */
  private double processMillis(List<String> args, BenchDatabase database, String readyMarker) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jarPath()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("TEMPER_") || key.equals("DATABASE_URL"));
    if (database != null) {
      builder.environment().put("DATABASE_URL", urlOf(database.name()));
    }
    long started = System.nanoTime();
    Process process = builder.start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.contains(readyMarker)) {
          double took = millisSince(started);
          process.toHandle().destroy();
          process.waitFor();
          return took;
        }
      }
    }
    throw new IllegalStateException("the jar ended (exit " + process.waitFor() + ") without printing " + readyMarker);
  }

  private static String jarPath() throws Exception {
    return Path.of(MigrationBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private double onFreshDatabase(java.util.function.ToDoubleFunction<BenchDatabase> measure) {
    try (BenchDatabase database = BenchDatabase.create(vertx, admin())) {
      return measure.applyAsDouble(database);
    }
  }

  private String adminQuery(String sql) {
    return withAdmin(pool -> pool.query(sql).execute().await().iterator().next().getString(0));
  }

  private DatabaseTarget admin() {
    return new DatabaseTarget(server, DatabaseTarget.DEFAULT_CONNECT_TIMEOUT);
  }

  private <T> T withAdmin(java.util.function.Function<Pool, T> work) {
    Pool pool = admin().pool(vertx, 1);
    try {
      return work.apply(pool);
    } finally {
      pool.close().await();
    }
  }

  private String urlOf(String database) {
    String password = server.getPassword() == null || server.getPassword().isEmpty() ? "" : ":" + server.getPassword();
    return "postgres://" + server.getUser() + password + "@" + server.getHost() + ":" + server.getPort() + "/" + database;
  }

  private static void row(String figure, List<Double> measured, String baseline, List<Double> baselineMeasured) {
    double median = median(measured);
    double base = median(baselineMeasured);
    System.out.printf("| %s | %.1f | %s | %.1f | %.2f× |%n", figure, median, baseline, base, median / base);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static double millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000.0;
  }

}
