package dev.temperstore.lab;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.secrets.KeyRing;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.SubjectCursor;
import dev.temperstore.subjects.SubjectExport;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The figures of forgetting a person (docs/benchmarks.md, "Personal data"), each beside an anchor measured the same
 * way in the same run, on a fresh, migrated database with two stores (A and B, two address prefixes) that share it:
 * <ol>
 *   <li>forget latency: a subject with one event is read through B (which caches its key), forgotten through A,
 *   and read through B again and again until B serves it redacted. Reported: the forget's p50 / p99 and the time
 *   from the forget's start until B redacts (the notification's trip); anchor: {@code secrets.put} through A, one
 *   statement that writes one row, the same number of times;</li>
 *   <li>export of a subject with {@code --export-events} events in 100-event streams, page by page (1,000 a page);
 *   anchor: reading the same events with {@code events.read}, 100 a page, stream by stream.</li>
 * </ol>
 * <pre>docs/lab.sh SubjectFigures --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "subject-figures", mixinStandardHelpOptions = true,
    description = "Forget latency, redaction on another store, and export of a large subject, with their anchors.")
public final class SubjectFigures implements Callable<Integer> {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--forgets", defaultValue = "500", description = "Subjects forgotten (default ${DEFAULT-VALUE})")
  int forgets;

  @Option(names = "--export-events", defaultValue = "10000",
      description = "Events of the exported subject (default ${DEFAULT-VALUE})")
  int exportEvents;

  @Option(names = "--rounds", defaultValue = "2", description = "Rounds (default ${DEFAULT-VALUE})")
  int rounds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SubjectFigures()).execute(args));
  }

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    List<String> rows = new ArrayList<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        try (BenchDatabase database = BenchDatabase.create(vertx, server)) {
          MigrationPipeline.standard(MigrationSettings.defaults())
              .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
          SecretSettings keys = SecretSettings.withKeys(KeyRing.ephemeral());
          List<String> deployed = new ArrayList<>();
          for (String prefix : List.of("a.store", "b.store")) {
            deployed.add(vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.target())
                .withSecrets(keys).withAddresses(new Addresses(prefix)))).await());
          }
          StoreClient a = new StoreClient(vertx, new Addresses("a.store"), TIMEOUT);
          StoreClient b = new StoreClient(vertx, new Addresses("b.store"), TIMEOUT);
          rows.addAll(forgetting(round, a, b));
          rows.addAll(exporting(round, a));
          for (String id : deployed) {
            vertx.undeploy(id).await();
          }
        }
      }
    } finally {
      vertx.close().await();
    }
    System.out.println();
    System.out.println("| round | measured | p50 ms | p99 ms | max ms | anchor | anchor p50 | anchor p99 |");
    System.out.println("|---:|---|---:|---:|---:|---|---:|---:|");
    rows.forEach(System.out::println);
    return 0;
  }

  private List<String> forgetting(int round, StoreClient a, StoreClient b) {
    Histogram forget = new Histogram(3);
    Histogram redacted = new Histogram(3);
    Histogram anchor = new Histogram(3);
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = -50; i < forgets; i++) { // the first 50 warm up
      String subject = "s-" + run + "-" + i;
      PersistenceId stream = new PersistenceId("bench", "Customer", subject);
      a.append(stream, 0, List.of(event(subject))).await().atMost(TIMEOUT);
      if (b.read(stream, 0, 1).await().atMost(TIMEOUT).events().get(0).redaction().isPresent()) {
        throw new IllegalStateException("redacted before its forget");
      }
      long putStart = System.nanoTime();
      a.put("bench", "k-" + Math.floorMod(i, 50), "v").await().atMost(TIMEOUT);
      long started = System.nanoTime();
      a.forget("bench", subject, "lab").await().atMost(TIMEOUT);
      long forgotten = System.nanoTime();
      while (b.read(stream, 0, 1).await().atMost(TIMEOUT).events().get(0).redaction().isEmpty()) {
        if (System.nanoTime() - started > TIMEOUT.toNanos()) {
          throw new IllegalStateException("store B did not redact within " + TIMEOUT);
        }
      }
      long seen = System.nanoTime();
      if (i >= 0) {
        anchor.recordValue((started - putStart) / 1000);
        forget.recordValue((forgotten - started) / 1000);
        redacted.recordValue((seen - started) / 1000);
      }
    }
    return List.of(
        row(round, "subjects.forget through store A (" + forgets + " subjects)", forget, "secrets.put through A",
            anchor),
        row(round, "from the forget's start until store B serves the redaction", redacted, "", null));
  }

  private List<String> exporting(int round, StoreClient a) {
    String subject = "big-" + UUID.randomUUID().toString().substring(0, 8);
    int streams = (exportEvents + 99) / 100;
    for (int s = 0; s < streams; s++) {
      PersistenceId stream = new PersistenceId("bench", "Order", subject + "-" + s);
      List<NewEvent> events = new ArrayList<>();
      for (int e = 0; e < 100 && s * 100 + e < exportEvents; e++) {
        events.add(event(subject));
      }
      a.append(stream, 0, events).await().atMost(TIMEOUT);
    }
    Histogram export = new Histogram(3);
    Histogram read = new Histogram(3);
    for (int repeat = 0; repeat < 6; repeat++) { // the first of each warms up
      long started = System.nanoTime();
      Optional<SubjectCursor> after = Optional.empty();
      int records = 0;
      do {
        SubjectExport page = a.export("bench", subject, after, 1000).await().atMost(TIMEOUT);
        records += page.records().size();
        after = page.next();
      } while (after.isPresent());
      long exported = System.nanoTime();
      int events = 0;
      for (int s = 0; s < streams; s++) {
        events += a.read(new PersistenceId("bench", "Order", subject + "-" + s), 0, 100).await().atMost(TIMEOUT)
            .events().size();
      }
      long readAll = System.nanoTime();
      if (records != exportEvents || events != exportEvents) {
        throw new IllegalStateException("exported " + records + " and read " + events + " of " + exportEvents);
      }
      if (repeat > 0) {
        export.recordValue((exported - started) / 1000);
        read.recordValue((readAll - exported) / 1000);
      }
    }
    return List.of(row(round, "subjects.export of " + exportEvents + " events, pages of 1,000 (5 runs)", export,
        "events.read of the same events, pages of 100", read));
  }

  private static NewEvent event(String subject) {
    return new NewEvent("CustomerRegistered", new JsonObject().put("customer", new JsonObject()
            .put("id", subject).put("name", "Name of " + subject).put("email", subject + "@example.com"))
        .put("tier", "gold"), EventMetadata.root(UUID.randomUUID(), "lab"))
        .markedPersonal(PersonalData.of(subject, "/customer/name", "/customer/email"));
  }

  private static String row(int round, String what, Histogram measured, String anchorName, Histogram anchor) {
    return String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %s | %s | %s |", round, what,
        measured.getValueAtPercentile(50) / 1000.0, measured.getValueAtPercentile(99) / 1000.0,
        measured.getMaxValue() / 1000.0, anchorName,
        anchor == null ? "" : String.format(Locale.ROOT, "%.1f", anchor.getValueAtPercentile(50) / 1000.0),
        anchor == null ? "" : String.format(Locale.ROOT, "%.1f", anchor.getValueAtPercentile(99) / 1000.0));
  }
}
