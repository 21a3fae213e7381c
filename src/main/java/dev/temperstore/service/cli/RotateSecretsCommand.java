package dev.temperstore.service.cli;

import dev.temperstore.config.SecretKeys;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.secrets.KeyRing;
import dev.temperstore.internal.secrets.crypto.SecretCipher;
import dev.temperstore.internal.secrets.SecretRotation;
import dev.temperstore.internal.subjects.SubjectCipher;
import dev.temperstore.internal.subjects.SubjectKeyRotation;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Re-encrypts every tenant's secrets under the primary key, online, printing progress. */
@Command(name = "rotate-secrets", mixinStandardHelpOptions = true,
    // One element per paragraph: picocli wraps each, and the first is the summary in the command list.
    description = {
        "Re-encrypt every secret under the primary master key (temper.secrets.primary, else the highest version).",
        "It works in bounded batches while the store keeps serving, and is safe to stop and run again: it resumes "
            + "with what is left. It runs as the migrating role (temper.database.migration-url, else the serving "
            + "URL), which must see every tenant's rows: the tables' owner, or a BYPASSRLS role. Afterwards old keys "
            + "can be removed from the configuration.",
        "Exit codes: 0 when every secret is under the primary key, 1 when some did not decrypt or a step failed, "
            + "2 on bad configuration or no key."})
public final class RotateSecretsCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    SecretSettings settings = SecretKeys.settings(loaded.get().secrets());
    KeyRing keys = settings.keys();
    if (keys.isEmpty()) {
      System.err.println("configuration error: no master key configured (temper.secrets.keys.<version>)");
      return ConfigOption.BAD_CONFIG;
    }
    PrintStream out = System.out;
    Vertx vertx = Vertx.vertx();
    try (ChosenDatabase database = ChosenDatabase.resolve(loaded.get())) {
      MigrationPipeline.standard(MigrationSettings.of(loaded.get()))
          .run(vertx, database.migration(), MigrationListener.NONE).await().indefinitely();
      Pool pool = database.migration().pool(vertx, 1);
      try {
        SecretRotation rotation = new SecretRotation(vertx, pool, new SecretCipher(keys), settings);
        long total = rotation.remaining(null).await().indefinitely();
        long started = System.nanoTime();
        out.printf("rotating %,d secrets to key version %d on %s%n", total, keys.primary().version(),
            database.describe());
        RotationProgress done = rotation.rotateAll(progress -> out.printf(Locale.ROOT,
                "  %,d rotated, %,d failed, %.0f secrets/s%n", progress.rotated(), progress.failed(),
                progress.rotated() / Math.max(1e-9, (System.nanoTime() - started) / 1e9)))
            .await().indefinitely();
        out.printf("done: %,d rotated, %,d did not decrypt, %,d left under other keys%n", done.rotated(),
            done.failed(), done.remaining());
        SubjectKeyRotation keyRotation = new SubjectKeyRotation(vertx, pool, new SubjectCipher(keys),
            keys.primary().version(), settings.rotationBatchSize());
        out.printf("wrapping %,d data keys of subjects under key version %d%n",
            keyRotation.remaining(null).await().indefinitely(), keys.primary().version());
        RotationProgress wrapped = keyRotation.rewrap(null, Long.MAX_VALUE, progress -> out.printf(Locale.ROOT,
                "  %,d data keys wrapped, %,d failed%n", progress.rotated(), progress.failed()))
            .await().indefinitely();
        out.printf("done: %,d data keys wrapped, %,d did not unwrap, %,d left under other keys%n",
            wrapped.rotated(), wrapped.failed(), wrapped.remaining());
        return done.remaining() == 0 && wrapped.remaining() == 0 ? 0 : 1;
      } finally {
        pool.close().await();
      }
    } catch (RuntimeException e) {
      out.println("rotation failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }
}
