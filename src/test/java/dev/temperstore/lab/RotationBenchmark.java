package dev.temperstore.lab;

import dev.temperstore.internal.secrets.SecretRotation;
import dev.temperstore.internal.secrets.crypto.EncryptedSecret;
import dev.temperstore.internal.secrets.crypto.SecretCipher;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.secrets.KeyRing;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.service.bench.BenchDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * Rotation speed: {@code --rows} secrets under key 1 (1,000 tenants of up to 100), rotated to key 2 by
 * {@link SecretRotation}, beside a raw baseline on the same server in the same run: one UPDATE rewriting every
 * row's key version (no crypto, no batches, no compare-and-set).
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.RotationBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "rotation-benchmark", mixinStandardHelpOptions = true,
    description = "Secret rotation rows/s beside a raw UPDATE of the same rows.")
public final class RotationBenchmark implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--rows", defaultValue = "100000", description = "Secrets to rotate (default ${DEFAULT-VALUE})")
  int rows;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RotationBenchmark()).execute(args));
  }

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    SecureRandom random = new SecureRandom();
    byte[] key1 = new byte[32];
    byte[] key2 = new byte[32];
    random.nextBytes(key1);
    random.nextBytes(key2);
    KeyRing before = KeyRing.fromBase64(Map.of(1, Base64.getEncoder().encodeToString(key1)), OptionalInt.empty(),
        Optional.empty());
    KeyRing after = KeyRing.fromBase64(Map.of(1, Base64.getEncoder().encodeToString(key1),
        2, Base64.getEncoder().encodeToString(key2)), OptionalInt.of(2), Optional.empty());
    try (BenchDatabase database = BenchDatabase.create(vertx, DatabaseTarget.fromUrl(url, Duration.ofSeconds(10)))) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      Pool pool = database.target().pool(vertx, 2);
      try {
        fill(pool, new SecretCipher(before));
        System.out.printf("%,d secrets under key 1 in %s%n", rows, database.name());
        SecretRotation rotation = new SecretRotation(vertx, pool, new SecretCipher(after),
            SecretSettings.withKeys(after));
        long started = System.nanoTime();
        RotationProgress done = rotation.rotateAll(progress -> { }).await().atMost(Duration.ofMinutes(30));
        double rotationSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        pool.query("UPDATE tenant_secrets SET key_version = 3, updated_at = now()").execute().await();
        double rawSeconds = (System.nanoTime() - started) / 1e9;
        System.out.println();
        System.out.println("| figure | rows | seconds | rows/s | baseline rows/s | ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| rotation key 1 → 2 (batches of %d) | %,d | %.2f | %,.0f | %,.0f | %.2f× |%n",
            SecretSettings.DEFAULT_ROTATION_BATCH_SIZE, done.rotated(), rotationSeconds,
            done.rotated() / rotationSeconds, rows / rawSeconds, (done.rotated() / rotationSeconds) / (rows / rawSeconds));
        return done.remaining() == 0 && done.rotated() == rows ? 0 : 1;
      } finally {
        pool.close().await();
      }
    } finally {
      vertx.close().await();
    }
  }

  private void fill(Pool pool, SecretCipher cipher) {
    String insert = "INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce, key_version)"
        + " SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::int[])";
    byte[] value = "v".repeat(64).getBytes(StandardCharsets.UTF_8);
    for (int start = 0; start < rows; start += 5000) {
      List<String> tenants = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<Buffer> ciphertexts = new ArrayList<>();
      List<Buffer> nonces = new ArrayList<>();
      List<Integer> versions = new ArrayList<>();
      for (int i = start; i < Math.min(rows, start + 5000); i++) {
        String tenant = "tenant-" + (i / 100);
        String name = "key-" + (i % 100);
        EncryptedSecret secret = cipher.encrypt(tenant, name, value);
        tenants.add(tenant);
        names.add(name);
        ciphertexts.add(Buffer.buffer(secret.ciphertext()));
        nonces.add(Buffer.buffer(secret.nonce()));
        versions.add(secret.keyVersion());
      }
      pool.preparedQuery(insert).execute(Tuple.of(tenants.toArray(String[]::new), names.toArray(String[]::new),
          ciphertexts.toArray(Buffer[]::new), nonces.toArray(Buffer[]::new), versions.toArray(Integer[]::new)))
          .await();
    }
  }
}
