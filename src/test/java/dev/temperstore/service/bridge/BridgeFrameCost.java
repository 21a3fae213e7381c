package dev.temperstore.service.bridge;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A lab program (docs/lab.sh, kept out of the product jar; here for the bridge's package-private session): what a
 * frame's authentication costs on a connection that verified its token already, without and with the revocation
 * check, against REVOCATIONS revocations in force (half by jti, half by subject), in alternating rounds on one
 * thread. Prints ns per frame for each, and the difference.
 *   docs/lab.sh dev.temperstore.service.bridge.BridgeFrameCost --url postgres://postgres@127.0.0.1:5432/postgres
 * Options: --url (a role that may create databases), --revocations 1000, --frames 2000000, --rounds 5.
 */
public final class BridgeFrameCost {

  private static final String SECRET = "a-lab-secret-of-at-least-32-bytes-long!!";

  public static void main(String[] args) throws Exception {
    String url = option(args, "--url", null);
    if (url == null) {
      System.err.println("usage: BridgeFrameCost --url postgres://user@host:5432/db [--revocations 1000]"
          + " [--frames 2000000] [--rounds 5]");
      System.exit(2);
    }
    int revocations = Integer.parseInt(option(args, "--revocations", "1000"));
    int frames = Integer.parseInt(option(args, "--frames", "2000000"));
    int rounds = Integer.parseInt(option(args, "--rounds", "5"));
    Vertx vertx = Vertx.vertx();
    try (BenchDatabase database = BenchDatabase.create(vertx, DatabaseTarget.fromUrl(url, Duration.ofSeconds(10)))) {
      MigrationPipeline.standard(MigrationSettings.defaults()).run(vertx, database.target(), MigrationListener.NONE)
          .await().atMost(Duration.ofMinutes(1));
      database.execute("INSERT INTO temper_store_token_revocations (jti, subject, issued_before, expires_at, actor)"
          + " SELECT CASE WHEN g % 2 = 0 THEN gen_random_uuid()::text END,"
          + " CASE WHEN g % 2 = 1 THEN 'other-' || g END, CASE WHEN g % 2 = 1 THEN now() END,"
          + " now() + interval '1 day', 'lab' FROM generate_series(1, " + revocations + ") g");
      Pool pool = database.target().pool(vertx, 2);
      TokenRevocations list = new TokenRevocations(vertx, pool, database.target(), Duration.ofMinutes(10),
          Duration.ofHours(1));
      list.start().await();
      BridgeAuth plain = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.empty(),
          Optional.empty(), Duration.ofHours(1));
      BridgeAuth checked = plain.withRevocations(list, new SimpleMeterRegistry());
      String token = plain.issue("lab", List.of("acme"), Set.of(Permission.WRITE), Duration.ofMinutes(30));
      JsonObject frame = new JsonObject().put("type", "send").put("address", "temper.store.events.append")
          .put("headers", new JsonObject().put("authorization", "Bearer " + token));
      BridgeAuth.Session without = plain.session();
      BridgeAuth.Session with = checked.session();
      without.grant(frame).await(); // the signature, once per connection
      with.grant(frame).await();
      System.out.printf("revocations in force: %d, frames per phase: %d%n", list.size(), frames);
      System.out.println("| round | without the check, ns/frame | with it, ns/frame | difference, ns |");
      System.out.println("|---:|---:|---:|---:|");
      for (int round = 1; round <= rounds; round++) {
        double a = round % 2 == 1 ? perFrame(without, frame, frames) : 0;
        double b = perFrame(with, frame, frames);
        if (a == 0) {
          a = perFrame(without, frame, frames);
        }
        System.out.printf("| %d | %.0f | %.0f | %+.0f |%n", round, a, b, b - a);
      }
      list.close().await();
      pool.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static double perFrame(BridgeAuth.Session session, JsonObject frame, int frames) {
    long failed = 0;
    long started = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      Future<Grant> grant = session.grant(frame);
      if (!grant.succeeded()) {
        failed++;
      }
    }
    long nanos = System.nanoTime() - started;
    if (failed > 0) {
      throw new IllegalStateException(failed + " frames refused");
    }
    return (double) nanos / frames;
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
