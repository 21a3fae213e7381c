package dev.temperstore.client;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.OverBudget;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static dev.temperstore.testing.TestKeys.PLAINTEXT_MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretBusApiTest extends DatabaseTest {

  private StoreClient client;

  @BeforeEach
  void storeWithKeysDeployed() {
    deploy(new SecretSettings(TestKeys.ring(Map.of(1, TestKeys.KEY_1, 2, TestKeys.KEY_2), 1), 3, 64, 10));
    client = StoreClient.create(vertx);
  }

  @Test
  void put_get_list_delete_and_rotate_round_trip_through_the_client() {
    assertThat(await(client.put("acme", "api-key", PLAINTEXT_MARKER + "-1"))).isTrue();
    assertThat(await(client.put("acme", "api-key", PLAINTEXT_MARKER + "-2"))).isFalse();
    assertThat(await(client.put("acme", "token", PLAINTEXT_MARKER + "-3"))).isTrue();

    assertThat(await(client.get("acme", "api-key"))).contains(PLAINTEXT_MARKER + "-2");
    assertThat(await(client.get("acme", "missing"))).isEmpty();
    assertThat(await(client.listKeyNames("acme"))).containsExactly("api-key", "token");
    assertThat(await(client.delete("acme", "token"))).isTrue();
    assertThat(await(client.delete("acme", "token"))).isFalse();
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isEqualTo(1);

    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    deploy(new SecretSettings(TestKeys.ring(Map.of(1, TestKeys.KEY_1, 2, TestKeys.KEY_2), 2), 3, 64, 10));
    assertThat(await(client.rotate("acme", 100))).isEqualTo(new RotationProgress(1, 0, 0));
    assertThat(database.admin().strings("SELECT key_version::text FROM tenant_secrets")).containsExactly("2");
    assertThat(await(client.get("acme", "api-key"))).contains(PLAINTEXT_MARKER + "-2");
  }

  @Test
  void each_error_code_of_the_secret_operations() {
    await(client.put("acme", "a", PLAINTEXT_MARKER));
    await(client.put("acme", "b", PLAINTEXT_MARKER));
    await(client.put("acme", "c", PLAINTEXT_MARKER));

    assertThatThrownBy(() -> await(client.put("acme", "d", PLAINTEXT_MARKER)))
        .isInstanceOf(OverBudget.class).extracting(e -> ((OverBudget) e).code()).isEqualTo(429);
    assertThatThrownBy(() -> await(client.put("acme", "e", PLAINTEXT_MARKER + "x".repeat(80))))
        .isInstanceOf(TooLarge.class).message().doesNotContain(PLAINTEXT_MARKER);
    assertThatThrownBy(() -> await(client.put("acme", "bad name", PLAINTEXT_MARKER)))
        .isInstanceOf(InvalidRequest.class).hasMessageStartingWith("invalid secret key name \"bad name\"");
    ReplyException missing = failure("temper.store.secrets.get", new JsonObject().put("tenant", "acme")
        .put("keyName", "nope"));
    assertThat(missing.failureCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.getMessage()).getString("message")).isEqualTo("no secret \"nope\" of tenant acme");
    database.admin().execute("UPDATE tenant_secrets SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1)"
        + " WHERE key_name = 'a'");
    assertThatThrownBy(() -> await(client.get("acme", "a")))
        .isInstanceOfSatisfying(StorageFailure.class, e -> assertThat(e.code()).isEqualTo(500))
        .hasMessageContaining("cannot decrypt secret \"a\" of tenant \"acme\"")
        .message().doesNotContain(PLAINTEXT_MARKER);
  }

  @Test
  void without_a_master_key_secret_operations_answer_503_and_events_still_work() {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    deploy(SecretSettings.disabled());

    for (var attempt : List.<Runnable>of(
        () -> await(client.put("acme", "k", PLAINTEXT_MARKER)),
        () -> await(client.get("acme", "k")),
        () -> await(client.delete("acme", "k")),
        () -> await(client.listKeyNames("acme")),
        () -> await(client.rotate("acme", 10)))) {
      assertThatThrownBy(attempt::run).isInstanceOf(Unavailable.class)
          .hasMessage("secret store disabled: no master key configured");
    }
    assertThat(await(client.append(PersistenceId.parse("acme:Order:o-1"), 0, events(1)))).isEqualTo(1);
  }

  @Test
  void malformed_secret_requests_get_a_400_naming_the_field_and_never_echo_a_value() {
    List<Object[]> cases = new ArrayList<>();
    for (String operation : List.of("put", "get", "delete", "list", "rotate")) {
      cases.add(new Object[] {operation, "plain text " + PLAINTEXT_MARKER, "request body must be a JSON object"});
      cases.add(new Object[] {operation, new JsonObject(), "tenant is missing"});
      cases.add(new Object[] {operation, new JsonObject().put("tenant", 7), "tenant must be a string"});
      cases.add(new Object[] {operation, new JsonObject().put("tenant", "a:b"), "tenant"});
    }
    for (String operation : List.of("put", "get", "delete")) {
      cases.add(new Object[] {operation, new JsonObject().put("tenant", "acme"), "keyName is missing"});
      cases.add(new Object[] {operation, new JsonObject().put("tenant", "acme").put("keyName", new JsonArray()),
          "keyName must be a string"});
      cases.add(new Object[] {operation, new JsonObject().put("tenant", "acme").put("keyName", "x".repeat(500))
          .put("value", PLAINTEXT_MARKER), "keyName is longer than"});
    }
    cases.add(new Object[] {"put", new JsonObject().put("tenant", "acme").put("keyName", "k"), "value is missing"});
    cases.add(new Object[] {"put", new JsonObject().put("tenant", "acme").put("keyName", "k").put("value", 12),
        "value must be a string"});
    cases.add(new Object[] {"put", new JsonObject().put("tenant", "acme").put("keyName", "k/" + PLAINTEXT_MARKER)
        .put("value", PLAINTEXT_MARKER), "invalid secret key name"});
    cases.add(new Object[] {"rotate", new JsonObject().put("tenant", "acme").put("maxRows", 0), "maxRows"});

    for (Object[] c : cases) {
      ReplyException failure = failure("temper.store.secrets." + c[0], c[1]);
      String message = new JsonObject(failure.getMessage()).getString("message");
      assertThat(failure.failureCode()).as(c[0] + " " + c[1]).isEqualTo(400);
      assertThat(message).as(c[0] + " " + c[1]).contains((String) c[2]);
      if (!((String) c[2]).startsWith("invalid secret key name")) {
        assertThat(message).doesNotContain(PLAINTEXT_MARKER + "-");
      }
    }
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isZero();
    assertThat(await(client.put("acme", "still-works", PLAINTEXT_MARKER))).isTrue();
  }

  private void deploy(SecretSettings secrets) {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSecrets(secrets))).await();
  }

  private static ReplyException failure(String address, Object body) {
    try {
      vertx.eventBus().request(address, body).await();
    } catch (ReplyException e) {
      return e;
    }
    throw new AssertionError("expected a failure from " + address);
  }

}
