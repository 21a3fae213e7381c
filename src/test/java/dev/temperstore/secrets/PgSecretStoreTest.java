package dev.temperstore.secrets;

import dev.temperstore.errors.OverBudget;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.internal.secrets.PgSecretStore;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TemperSecrets;
import dev.temperstore.testing.TestKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.TestKeys.PLAINTEXT_MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgSecretStoreTest extends DatabaseTest {

  private Pool pool;
  private SecretStore store;

  @BeforeEach
  void migratedDatabase() {
    pool = database.asOwner().pool(vertx, 4);
    store = storeWith(Map.of(1, TestKeys.KEY_1), null);
  }

  @AfterEach
  void closeConnections() {
    pool.close().await();
  }

  @Test
  void empty_ascii_multibyte_and_8192_byte_values_round_trip_and_are_stored_encrypted() {
    List<String> values = List.of("", PLAINTEXT_MARKER + "-ascii", PLAINTEXT_MARKER + " päßwörd ✓ 秘密 🔑",
        PLAINTEXT_MARKER + "x".repeat(8192 - PLAINTEXT_MARKER.length()));
    for (int i = 0; i < values.size(); i++) {
      assertThat(await(store.put("acme", "key-" + i, values.get(i)))).isTrue();
    }

    for (int i = 0; i < values.size(); i++) {
      assertThat(await(store.get("acme", "key-" + i))).contains(values.get(i));
    }
    assertThat(values.get(3).getBytes(StandardCharsets.UTF_8)).hasSize(8192);
    assertThat(database.admin().strings("SELECT encode(ciphertext, 'escape') FROM tenant_secrets"))
        .noneMatch(stored -> stored.contains(PLAINTEXT_MARKER));
    assertThat(database.admin().rows("SELECT key_version, length(nonce) FROM tenant_secrets"))
        .allSatisfy(row -> {
          assertThat(row.getInteger(0)).isEqualTo(1);
          assertThat(row.getInteger(1)).isEqualTo(12);
        });
  }

  @Test
  void a_value_of_8193_bytes_is_refused_as_too_large_without_showing_it() {
    String value = PLAINTEXT_MARKER + "y".repeat(8193 - PLAINTEXT_MARKER.length());

    assertThatThrownBy(() -> await(store.put("acme", "big", value)))
        .isInstanceOf(TooLarge.class)
        .hasMessage("secret value is 8193 bytes, over the limit of 8192");
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isZero();
  }

  @Test
  void two_encryptions_of_one_value_differ_in_nonce_and_ciphertext() {
    await(store.put("acme", "a", PLAINTEXT_MARKER));
    await(store.put("acme", "b", PLAINTEXT_MARKER));

    List<String> stored = database.admin().strings(
        "SELECT encode(nonce, 'hex') || ':' || encode(ciphertext, 'hex') FROM tenant_secrets ORDER BY key_name");
    assertThat(stored.get(0).split(":")[0]).isNotEqualTo(stored.get(1).split(":")[0]);
    assertThat(stored.get(0).split(":")[1]).isNotEqualTo(stored.get(1).split(":")[1]);
  }

  @Test
  void a_row_copied_to_another_tenant_or_name_does_not_decrypt_and_yields_no_bytes() {
    await(store.put("acme", "api-key", PLAINTEXT_MARKER + "-copied"));
    database.admin().execute("INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce, key_version)"
        + " SELECT 'beta', key_name, ciphertext, nonce, key_version FROM tenant_secrets WHERE tenant = 'acme';"
        + " INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce, key_version)"
        + " SELECT tenant, 'other-key', ciphertext, nonce, key_version FROM tenant_secrets WHERE tenant = 'acme'");

    assertThatThrownBy(() -> await(store.get("beta", "api-key")))
        .isInstanceOf(StorageFailure.class)
        .hasMessageContaining("cannot decrypt secret \"api-key\" of tenant \"beta\"")
        .message().doesNotContain(PLAINTEXT_MARKER);
    assertThatThrownBy(() -> await(store.get("acme", "other-key")))
        .isInstanceOf(StorageFailure.class)
        .hasMessageContaining("authentication failed");
    assertThat(await(store.get("acme", "api-key"))).contains(PLAINTEXT_MARKER + "-copied");
  }

  @Test
  void a_flipped_bit_in_the_stored_ciphertext_tag_or_nonce_fails() {
    await(store.put("acme", "c", PLAINTEXT_MARKER));
    await(store.put("acme", "t", PLAINTEXT_MARKER));
    await(store.put("acme", "n", PLAINTEXT_MARKER));
    database.admin().execute(
        "UPDATE tenant_secrets SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE key_name = 'c';"
        + " UPDATE tenant_secrets SET ciphertext = set_byte(ciphertext, length(ciphertext) - 1,"
        + "   get_byte(ciphertext, length(ciphertext) - 1) # 128) WHERE key_name = 't';"
        + " UPDATE tenant_secrets SET nonce = set_byte(nonce, 5, get_byte(nonce, 5) # 4) WHERE key_name = 'n'");

    for (String name : List.of("c", "t", "n")) {
      assertThatThrownBy(() -> await(store.get("acme", name))).as(name)
          .isInstanceOf(StorageFailure.class)
          .hasMessageContaining("authentication failed")
          .message().doesNotContain(PLAINTEXT_MARKER);
    }
  }

  @Test
  void a_store_with_another_key_under_the_same_version_cannot_read_and_says_so() {
    await(store.put("acme", "k", PLAINTEXT_MARKER));
    SecretStore wrongKey = storeWith(Map.of(1, TestKeys.KEY_2), null);

    assertThatThrownBy(() -> await(wrongKey.get("acme", "k")))
        .isInstanceOf(StorageFailure.class)
        .hasMessageContaining("(key version 1)")
        .message().doesNotContain(PLAINTEXT_MARKER).doesNotContain(TestKeys.KEY_1).doesNotContain(TestKeys.KEY_2);
  }

  @Test
  void the_101st_secret_is_refused_even_when_20_puts_race_for_the_last_place_and_replacing_is_allowed() {
    for (int i = 1; i <= 99; i++) {
      await(store.put("acme", "k" + i, PLAINTEXT_MARKER + i));
    }
    AtomicInteger created = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Uni<Void>> racers = new ArrayList<>();
    List<SecretStore> stores = List.of(store, storeWith(Map.of(1, TestKeys.KEY_1), null));
    for (int i = 0; i < 20; i++) {
      racers.add(stores.get(i % 2).put("acme", "racer-" + i, PLAINTEXT_MARKER)
          .invoke(createdNow -> created.incrementAndGet())
          .onFailure(OverBudget.class).recoverWithItem(e -> {
            refused.incrementAndGet();
            return null;
          })
          .replaceWithVoid());
    }
    Uni.join().all(racers).andFailFast().await().atMost(Duration.ofSeconds(30));

    assertThat(created.get()).isEqualTo(1);
    assertThat(refused.get()).isEqualTo(19);
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets WHERE tenant = 'acme'")).isEqualTo(100);
    assertThat(await(store.put("acme", "k50", PLAINTEXT_MARKER + "-replaced"))).isFalse();
    assertThat(await(store.get("acme", "k50"))).contains(PLAINTEXT_MARKER + "-replaced");
    assertThatThrownBy(() -> await(store.put("acme", "one-more", PLAINTEXT_MARKER)))
        .isInstanceOf(OverBudget.class).hasMessageStartingWith("tenant acme already has 100 secrets")
        .extracting(e -> ((OverBudget) e).code()).isEqualTo(429);
    assertThat(await(store.put("beta", "own-budget", PLAINTEXT_MARKER))).isTrue();
  }

  @Test
  void delete_says_whether_there_was_a_secret_and_list_gives_sorted_names_only() {
    await(store.put("acme", "zeta", PLAINTEXT_MARKER));
    await(store.put("acme", "alpha", PLAINTEXT_MARKER));
    await(store.put("beta", "hidden", PLAINTEXT_MARKER));

    assertThat(await(store.listKeyNames("acme"))).containsExactly("alpha", "zeta");
    assertThat(await(store.delete("acme", "zeta"))).isTrue();
    assertThat(await(store.delete("acme", "zeta"))).isFalse();
    assertThat(await(store.listKeyNames("acme"))).containsExactly("alpha");
    assertThat(await(store.get("acme", "zeta"))).isEmpty();
  }

  @Test
  void invalid_key_names_and_tenants_are_refused() {
    for (String name : List.of("", "-leading", "has space", "slash/y", "x".repeat(129), "ünïcode")) {
      assertThatThrownBy(() -> await(store.put("acme", name, PLAINTEXT_MARKER))).as(name)
          .isInstanceOf(InvalidRequest.class).hasMessageStartingWith("invalid secret key name");
    }
    assertThatThrownBy(() -> await(store.put("a:b", "k", PLAINTEXT_MARKER))).isInstanceOf(InvalidRequest.class);
  }

  @Test
  void rows_in_temper_format_decrypt_through_the_legacy_key() {
    TemperSecrets.insert(database.admin(), "acme", "temper-made", PLAINTEXT_MARKER + "-from-temper");

    assertThat(await(store.get("acme", "temper-made"))).contains(PLAINTEXT_MARKER + "-from-temper");
    assertThat(database.admin().strings("SELECT key_version::text FROM tenant_secrets")).containsExactly("0");
  }

  private SecretStore storeWith(Map<Integer, String> keys, Integer primary) {
    return new PgSecretStore(vertx, pool, TestKeys.settings(keys, primary));
  }

}
