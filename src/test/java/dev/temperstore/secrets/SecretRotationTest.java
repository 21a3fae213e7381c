package dev.temperstore.secrets;

import dev.temperstore.internal.secrets.crypto.SecretCipher;
import dev.temperstore.internal.secrets.PgSecretStore;
import dev.temperstore.internal.secrets.SecretRotation;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TemperSecrets;
import dev.temperstore.testing.TestKeys;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.TestKeys.PLAINTEXT_MARKER;
import static org.assertj.core.api.Assertions.assertThat;

class SecretRotationTest extends DatabaseTest {

  private static final Map<Integer, String> KEY_1_ONLY = Map.of(1, TestKeys.KEY_1);
  private static final Map<Integer, String> BOTH_KEYS = Map.of(1, TestKeys.KEY_1, 2, TestKeys.KEY_2);

  private Pool pool;

  @BeforeEach
  void migratedDatabase() {
    pool = database.asOwner().pool(vertx, 4);
  }

  @AfterEach
  void closeConnections() {
    pool.close().await();
  }

  @Test
  void rotation_from_key_1_to_key_2_while_writers_keep_putting_loses_nothing() throws Exception {
    SecretStore before = new PgSecretStore(vertx, pool, TestKeys.settings(KEY_1_ONLY, null));
    Map<String, String> lastWritten = new ConcurrentHashMap<>();
    for (int i = 0; i < 240; i++) {
      String tenant = "tenant-" + (i % 3);
      String name = "key-" + (i / 3);
      String value = PLAINTEXT_MARKER + "-initial-" + i;
      await(before.put(tenant, name, value));
      lastWritten.put(tenant + "/" + name, value);
    }
    SecretStore after = new PgSecretStore(vertx, pool, TestKeys.settings(BOTH_KEYS, 2));
    AtomicBoolean rotating = new AtomicBoolean(true);
    CompletableFuture<Integer> writers = CompletableFuture.supplyAsync(() -> {
      int writes = 0;
      while (rotating.get() || writes < 50) {
        int i = ThreadLocalRandom.current().nextInt(240);
        String key = "tenant-" + (i % 3) + "/key-" + (i / 3);
        String value = PLAINTEXT_MARKER + "-rewritten-" + writes;
        synchronized (lastWritten) {
          await(after.put("tenant-" + (i % 3), "key-" + (i / 3), value));
          lastWritten.put(key, value);
        }
        writes++;
      }
      return writes;
    });

    RotationProgress done = rotation(BOTH_KEYS, 2, 16).rotateAll(progress -> { }).await().atMost(Duration.ofMinutes(1));
    rotating.set(false);
    int writes = writers.get(1, TimeUnit.MINUTES);

    assertThat(writes).isGreaterThanOrEqualTo(50);
    assertThat(done.remaining()).isZero();
    assertThat(done.failed()).isZero();
    assertThat(database.admin().strings("SELECT DISTINCT key_version::text FROM tenant_secrets")).containsExactly("2");
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isEqualTo(240);
    SecretStore keyTwoOnly = new PgSecretStore(vertx, pool, TestKeys.settings(Map.of(2, TestKeys.KEY_2), null));
    lastWritten.forEach((key, value) -> {
      String[] parts = key.split("/");
      assertThat(await(keyTwoOnly.get(parts[0], parts[1]))).as(key).contains(value);
    });
  }

  @Test
  void a_rotation_stopped_half_way_resumes_and_finishes() {
    SecretStore before = new PgSecretStore(vertx, pool, TestKeys.settings(KEY_1_ONLY, null));
    for (int i = 0; i < 100; i++) {
      await(before.put("acme", "k" + i, PLAINTEXT_MARKER + i));
    }

    RotationProgress first = await(rotation(BOTH_KEYS, 2, 10).rotateTenant("acme", 40));
    RotationProgress resumed = await(rotation(BOTH_KEYS, 2, 10).rotateAll(progress -> { }));

    assertThat(first.rotated()).isEqualTo(40);
    assertThat(first.remaining()).isEqualTo(60);
    assertThat(resumed.rotated()).isEqualTo(60);
    assertThat(resumed.remaining()).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets WHERE key_version = 2")).isEqualTo(100);
  }

  @Test
  void rows_written_by_temper_are_upgraded_by_rotation_and_still_read_back() {
    TemperSecrets.insert(database.admin(), "acme", "from-temper", PLAINTEXT_MARKER + "-legacy");

    RotationProgress done = await(rotation(BOTH_KEYS, 2, 10).rotateAll(progress -> { }));

    assertThat(done.rotated()).isEqualTo(1);
    assertThat(database.admin().strings("SELECT key_version::text FROM tenant_secrets")).containsExactly("2");
    SecretStore withoutLegacy = new PgSecretStore(vertx, pool, SecretSettings.withKeys(
        dev.temperstore.secrets.KeyRing.fromBase64(Map.of(2, TestKeys.KEY_2), java.util.OptionalInt.empty(),
            java.util.Optional.empty())));
    assertThat(await(withoutLegacy.get("acme", "from-temper"))).contains(PLAINTEXT_MARKER + "-legacy");
  }

  @Test
  void a_secret_that_does_not_decrypt_is_left_as_it_is_counted_and_the_rest_rotates() {
    SecretStore before = new PgSecretStore(vertx, pool, TestKeys.settings(KEY_1_ONLY, null));
    for (int i = 0; i < 5; i++) {
      await(before.put("acme", "k" + i, PLAINTEXT_MARKER + i));
    }
    database.admin().execute("UPDATE tenant_secrets SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1)"
        + " WHERE key_name = 'k2'");

    RotationProgress done = await(rotation(BOTH_KEYS, 2, 2).rotateAll(progress -> { }));

    assertThat(done.rotated()).isEqualTo(4);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.remaining()).isEqualTo(1);
  }

  private SecretRotation rotation(Map<Integer, String> keys, int primary, int batchSize) {
    SecretSettings settings = new SecretSettings(TestKeys.ring(keys, primary), 100, 8192, batchSize);
    return new SecretRotation(vertx, pool, new SecretCipher(settings.keys()), settings);
  }


}
