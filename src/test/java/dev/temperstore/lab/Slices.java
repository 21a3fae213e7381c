package dev.temperstore.lab;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Statement forms measured in short slices by one caller on one connection, each form in turn in an order shuffled
 * every round, all on one database, so that the machine's drift and autovacuum's work fall on every form alike
 * (StatementVariants, BatchStatements). Medians of the slices.
 */
final class Slices {

  /** The options every such program takes (a picocli mixin). */
  static final class Options {

    @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
    String url;

    @Option(names = "--slice", defaultValue = "3", description = "Seconds per slice (default ${DEFAULT-VALUE})")
    int slice;

    @Option(names = "--rounds", defaultValue = "8",
        description = "Slices of each form, in an order shuffled each round (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--synchronous-commit", defaultValue = "on",
        description = "synchronous_commit of the connection (default ${DEFAULT-VALUE})")
    String synchronousCommit;

    /** A fresh database on the server, migrated; dropped when closed. */
    BenchDatabase migratedDatabase(Vertx vertx) {
      BenchDatabase database = BenchDatabase.create(vertx, DatabaseTarget.fromUrl(url, Duration.ofSeconds(10)));
      try {
        MigrationPipeline.standard(MigrationSettings.defaults())
            .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
        return database;
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
    }

    /** One connection to {@code database} with this run's {@code synchronous_commit}. */
    Pool connection(Vertx vertx, BenchDatabase database) {
      return new DatabaseTarget(new PgConnectOptions(database.target().options())
          .addProperty("synchronous_commit", synchronousCommit), database.target().connectTimeout())
          .pool(vertx, 1, Duration.ofSeconds(30));
    }
  }

  /** A form: one call, and what it counts (appends, say) toward the form's rate. */
  record Form(Supplier<Future<?>> call, int countPerCall) {
  }

  private Slices() {
  }

  /** Each form's rate in every slice, once each is prepared and warm (a first slice of one second, not counted). */
  static Map<String, List<Double>> measure(Context context, Map<String, Form> forms, Options options)
      throws Exception {
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (Map.Entry<String, Form> form : forms.entrySet()) {
      rates.put(form.getKey(), new ArrayList<>());
      run(context, form.getValue().call(), 1).toCompletionStage().toCompletableFuture().get();
    }
    Random order = new Random(42);
    for (int round = 0; round < options.rounds; round++) {
      List<Map.Entry<String, Form>> shuffled = new ArrayList<>(forms.entrySet());
      Collections.shuffle(shuffled, order);
      for (Map.Entry<String, Form> form : shuffled) {
        long calls = run(context, form.getValue().call(), options.slice).toCompletionStage().toCompletableFuture()
            .get();
        rates.get(form.getKey()).add(calls * form.getValue().countPerCall() / (double) options.slice);
      }
    }
    return rates;
  }

  /**
   * A heading ({@code what} was measured, and how), then a markdown row for each form: its median rate, its ratio to
   * {@code base}'s (named {@code baseName} in the heading), and each slice's rate.
   */
  static void print(String what, Options options, Map<String, List<Double>> rates, String base, String baseName) {
    System.out.printf(Locale.ROOT, "%s, synchronous_commit %s, %d slices of %d s; appends/s (median), ratio to %s,"
        + " each slice:%n", what, options.synchronousCommit, options.rounds, options.slice, baseName);
    double baseRate = StoreLayers.median(rates.get(base));
    rates.forEach((form, list) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f× | %s |%n", form,
        StoreLayers.median(list), StoreLayers.median(list) / baseRate,
        String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList())));
  }

  /** Calls {@code form} one after another on {@code context} for {@code seconds}; the number of calls. */
  private static Future<Long> run(Context context, Supplier<Future<?>> form, int seconds) {
    Promise<Long> done = Promise.promise();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    context.runOnContext(ignored -> next(form, end, 0, done));
    return done.future();
  }

  private static void next(Supplier<Future<?>> form, long end, long count, Promise<Long> done) {
    if (System.nanoTime() - end >= 0) {
      done.complete(count);
      return;
    }
    form.get().onComplete(result -> {
      if (result.failed()) {
        done.fail(result.cause());
      } else {
        next(form, end, count + 1, done);
      }
    });
  }
}
