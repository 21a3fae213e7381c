package dev.temperstore.subjects;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.SubjectForgotten;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.lifecycle.SweepSettings;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.RuntimeRoleTest;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Eventually.eventually;
import static dev.temperstore.testing.TestKeys.PLAINTEXT_MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Personal fields marked on append, served as a non-owner NOBYPASSRLS role: ciphertext in the table, plaintext on
 * every read path while the subject is known, its replacement everywhere from the forget on.
 */
class PersonalDataTest extends RuntimeRoleTest {

  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");
  private static final PersistenceId INVOICE = PersistenceId.parse("acme:Invoice:i-1");

  private StoreClient client;

  @BeforeEach
  void deployStoreWithAMasterKey() {
    vertx.deployVerticle(new StoreVerticle(settings("temper.store"))).await();
    client = StoreClient.create(vertx);
  }

  private StoreSettings settings(String prefix) {
    return StoreSettings.defaults(database.asOwner()).withServing(database.as(role))
        .withSecrets(TestKeys.settings(Map.of(1, TestKeys.KEY_1), 1))
        .withSweep(new SweepSettings(Duration.ZERO, 1000))
        .withSubscriptions(dev.temperstore.feed.subscriptions.SubscriptionSettings.defaults()
            .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofSeconds(1)))
        .withAddresses(new Addresses(prefix));
  }

  static NewEvent ordered(String subject, int n) {
    UUID id = UUID.randomUUID();
    return new NewEvent("Ordered", new JsonObject().put("n", n)
        .put("customer", new JsonObject().put("name", PLAINTEXT_MARKER + " name " + n)
            .put("email", PLAINTEXT_MARKER + "-" + n + "@example.com"))
        .put("items", new JsonArray().add("book")),
        EventMetadata.root(id, "app"))
        .markedPersonal(PersonalData.of(subject, "/customer/name", "/customer/email")
            .withReplacement("/customer/email", "forgotten@example.invalid"));
  }

  @Test
  void marked_fields_are_ciphertext_in_the_table_and_plaintext_on_every_read_path() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1), ordered("c-7", 2))));

    assertThat(database.admin().strings("SELECT payload::text || metadata::text FROM events"))
        .hasSize(2).allSatisfy(row -> assertThat(row).doesNotContain(PLAINTEXT_MARKER).contains("\"sealed\""));
    assertThat(database.admin().strings("SELECT payload #>> '{customer,name}' FROM events")).containsOnlyNulls();
    assertThat(database.admin().strings("SELECT (wrapped_key IS NOT NULL AND length(wrapped_key) = 48)::text FROM"
        + " temper_store_subject_keys WHERE tenant = 'acme' AND subject = 'c-7'")).containsExactly("true");

    StoredEvent read = await(client.read(ORDER, 0, 10)).events().get(1);
    assertThat(((JsonObject) read.payload()).getJsonObject("customer").getString("email"))
        .isEqualTo(PLAINTEXT_MARKER + "-2@example.com");
    assertThat(read.personal().orElseThrow().subject()).isEqualTo("c-7");
    assertThat(read.redaction()).isEmpty();
    assertThat(((JsonObject) read.payload()).getJsonArray("items")).containsExactly("book");
    assertThat(read.toString()).doesNotContain(PLAINTEXT_MARKER);

    FeedHorizon.awaitPastEveryEvent(database);
    FeedEvent fed = await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10)).events().get(0);
    assertThat(((JsonObject) fed.event().payload()).getJsonObject("customer").getString("name"))
        .isEqualTo(PLAINTEXT_MARKER + " name 1");
  }

  @Test
  void forget_replaces_every_personal_field_refuses_later_appends_and_is_idempotent_and_audited() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1))));
    await(client.append(INVOICE, 0, List.of(ordered("c-8", 1))));

    ForgetReceipt receipt = await(client.forget("acme", "c-7", "dpo"));
    assertThat(receipt.already()).isFalse();

    StoredEvent read = await(client.read(ORDER, 0, 10)).events().get(0);
    JsonObject customer = ((JsonObject) read.payload()).getJsonObject("customer");
    assertThat(customer.getValue("name")).isNull();
    assertThat(customer.getString("email")).isEqualTo("forgotten@example.invalid");
    assertThat(read.redaction().orElseThrow().reason()).isEqualTo(Redaction.FORGOTTEN);
    assertThat(read.redaction().orElseThrow().since()).contains(receipt.forgottenAt());
    assertThat(read.redaction().orElseThrow().fields()).containsExactly("/customer/name", "/customer/email");
    FeedHorizon.awaitPastEveryEvent(database);
    List<FeedEvent> feed = await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10)).events();
    assertThat(feed).extracting(event -> event.event().redaction().isPresent()).containsExactly(true, false);
    assertThat(((JsonObject) feed.get(1).event().payload()).getJsonObject("customer").getString("name"))
        .as("another subject of the tenant").isEqualTo(PLAINTEXT_MARKER + " name 1");

    assertThatThrownBy(() -> await(client.append(ORDER, 1, List.of(ordered("c-7", 2)))))
        .isInstanceOfSatisfying(SubjectForgotten.class, e -> {
          assertThat(e.code()).isEqualTo(410);
          assertThat(e.subject()).isEqualTo("c-7");
        });
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'o-1'")).isEqualTo(1);

    ForgetReceipt again = await(client.forget("acme", "c-7", "dpo"));
    assertThat(again.already()).isTrue();
    assertThat(again.forgottenAt()).isEqualTo(receipt.forgottenAt());
    assertThat(database.admin().strings("SELECT actor || ' ' || (detail ->> 'subject') FROM temper_store_audit"
        + " WHERE action = 'subject.forget'")).containsExactly("dpo c-7");
    assertThat(database.admin().strings("SELECT (key_version IS NULL AND nonce IS NULL AND wrapped_key IS NULL"
        + " AND forgotten_at IS NOT NULL)::text FROM temper_store_subject_keys WHERE subject = 'c-7'"))
        .containsExactly("true");
  }

  @Test
  void an_append_that_a_forget_on_another_store_refused_is_refused_in_the_database_whatever_the_cache_holds() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1))));
    // Behind the store's back, as another store's forget would: this store still holds the key.
    database.admin().execute("UPDATE temper_store_subject_keys SET key_version = NULL, nonce = NULL,"
        + " wrapped_key = NULL, forgotten_at = now() WHERE subject = 'c-7'");

    assertThatThrownBy(() -> await(client.append(ORDER, 1, List.of(ordered("c-7", 2)))))
        .isInstanceOf(SubjectForgotten.class).hasMessageContaining("subject c-7 was forgotten at 20");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  void fields_inside_arrays_and_with_escaped_names_are_replaced_where_they_are_never_shifted() {
    JsonObject payload = new JsonObject().put("tags", new JsonArray().add(PLAINTEXT_MARKER + " tag").add("public"))
        .put("lines", new JsonArray().add(new JsonObject().put("a/b", PLAINTEXT_MARKER + " slash")).add("kept"));
    NewEvent event = new NewEvent("Tagged", payload, EventMetadata.root(UUID.randomUUID(), "app"))
        .markedPersonal(PersonalData.of("c-9", "/tags/0", "/lines/0/a~1b"));
    await(client.append(ORDER, 0, List.of(event)));

    assertThat(database.admin().strings("SELECT payload::text FROM events")).containsExactly(
        "{\"tags\": [null, \"public\"], \"lines\": [{\"a/b\": null}, \"kept\"]}");
    StoredEvent read = await(client.read(ORDER, 0, 1)).events().get(0);
    assertThat(read.payload()).isEqualTo(payload);
    assertThat(read.toString()).doesNotContain(PLAINTEXT_MARKER).contains("<personal>");

    await(client.forget("acme", "c-9", "dpo"));
    assertThat(await(client.read(ORDER, 0, 1)).events().get(0).payload()).isEqualTo(new JsonObject()
        .put("tags", new JsonArray().addNull().add("public"))
        .put("lines", new JsonArray().add(new JsonObject().putNull("a/b")).add("kept")));
  }

  @Test
  void the_same_subject_id_of_two_tenants_has_two_keys_and_forgetting_one_leaves_the_other() {
    PersistenceId other = PersistenceId.parse("beta:Order:o-1");
    await(client.append(ORDER, 0, List.of(ordered("s", 1))));
    await(client.append(other, 0, List.of(ordered("s", 1))));
    assertThat(database.admin().count("SELECT count(DISTINCT wrapped_key) FROM temper_store_subject_keys"))
        .isEqualTo(2);

    await(client.forget("acme", "s", "dpo"));

    assertThat(await(client.read(ORDER, 0, 1)).events().get(0).redaction()).isPresent();
    StoredEvent kept = await(client.read(other, 0, 1)).events().get(0);
    assertThat(kept.redaction()).isEmpty();
    assertThat(((JsonObject) kept.payload()).getJsonObject("customer").getString("name"))
        .isEqualTo(PLAINTEXT_MARKER + " name 1");
  }

  @Test
  void a_ciphertext_moved_to_another_event_does_not_decrypt_there() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1), ordered("c-7", 2))));
    database.admin().execute("UPDATE events e SET metadata = jsonb_set(e.metadata, '{personal}',"
        + " (SELECT f.metadata -> 'personal' FROM events f WHERE f.sequence_nr = 1)) WHERE e.sequence_nr = 2");

    List<StoredEvent> read = await(client.read(ORDER, 0, 10)).events();
    assertThat(read.get(0).redaction()).isEmpty();
    assertThat(read.get(1).redaction().orElseThrow().reason()).isEqualTo(Redaction.UNREADABLE);
    assertThat(read.get(1).redaction().orElseThrow().since()).isEmpty();
    assertThat(read.get(1).payload().toString()).doesNotContain(PLAINTEXT_MARKER);
  }

  @Test
  void export_pages_through_every_personal_field_of_a_subject_and_the_check_proves_none_decrypts_after_forget() {
    for (int i = 0; i < 3; i++) {
      PersistenceId stream = PersistenceId.parse("acme:Order:o-" + i);
      await(client.append(stream, 0, List.of(ordered("c-7", 1), ordered("c-7", 2))));
    }
    await(client.append(INVOICE, 0, List.of(ordered("c-8", 1))));

    List<PersonalRecord> records = new ArrayList<>();
    Optional<SubjectCursor> after = Optional.empty();
    int pages = 0;
    do {
      SubjectExport page = await(client.export("acme", "c-7", after, 4));
      records.addAll(page.records());
      after = page.next();
      pages++;
    } while (after.isPresent());
    assertThat(pages).isEqualTo(2);
    assertThat(records).hasSize(6).allSatisfy(record -> assertThat(record.fields())
        .containsOnlyKeys("/customer/name", "/customer/email"));
    assertThat(records.get(5).fields().get("/customer/email")).isEqualTo(PLAINTEXT_MARKER + "-2@example.com");
    SubjectCheck before = await(client.check("acme", "c-7", Optional.empty(), 100));
    assertThat(before.events()).isEqualTo(6);
    assertThat(before.readable()).isEqualTo(6);
    assertThat(before.keyPresent()).isTrue();

    await(client.forget("acme", "c-7", "dpo"));

    SubjectCheck after1 = await(client.check("acme", "c-7", Optional.empty(), 100));
    assertThat(after1.events()).isEqualTo(6);
    assertThat(after1.readable()).isZero();
    assertThat(after1.keyPresent()).isFalse();
    assertThat(after1.forgottenAt()).isPresent();
    SubjectExport gone = await(client.export("acme", "c-7", Optional.empty(), 100));
    assertThat(gone.records()).isEmpty();
    assertThat(gone.forgottenAt()).isPresent();
    assertThat(await(client.export("acme", "c-8", Optional.empty(), 100)).records()).hasSize(1);
  }

  @Test
  void a_forget_on_one_store_is_served_by_another_store_on_the_same_database_once_notified() {
    vertx.deployVerticle(new StoreVerticle(settings("other.store"))).await();
    StoreClient other = new StoreClient(vertx, new Addresses("other.store"), Duration.ofSeconds(30));
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1))));
    assertThat(await(other.read(ORDER, 0, 1)).events().get(0).redaction()).as("the other store caches the key")
        .isEmpty();

    await(client.forget("acme", "c-7", "dpo"));

    eventually(Duration.ofSeconds(10), "the other store redacts",
        () -> await(other.read(ORDER, 0, 1)).events().get(0).redaction().isPresent());
    assertThatThrownBy(() -> await(other.append(ORDER, 1, List.of(ordered("c-7", 2)))))
        .isInstanceOf(SubjectForgotten.class);
  }

  @Test
  void a_store_whose_listener_reconnects_drops_the_keys_it_holds_so_a_forget_it_missed_takes_effect() {
    dev.temperstore.internal.subjects.SubjectKeys keys = new dev.temperstore.internal.subjects.SubjectKeys(runtime,
        Optional.of(new dev.temperstore.internal.subjects.SubjectCipher(
            TestKeys.ring(Map.of(1, TestKeys.KEY_1), 1))), SubjectSettings.defaults());
    await(keys.forWriting("acme", "append", List.of("c-7")));
    // Forgotten behind this store's back, its notification never seen here (as while its listener was away).
    database.admin().execute("UPDATE temper_store_subject_keys SET key_version = NULL, nonce = NULL,"
        + " wrapped_key = NULL, forgotten_at = now() WHERE subject = 'c-7'");
    assertThat(await(keys.forReading("acme", List.of("c-7"))).get("c-7"))
        .isInstanceOf(dev.temperstore.internal.subjects.KeyState.Live.class);

    keys.dropKeys(); // what the listener does on every (re)connection

    assertThat(await(keys.forReading("acme", List.of("c-7"))).get("c-7"))
        .isInstanceOf(dev.temperstore.internal.subjects.KeyState.Forgotten.class);
  }

  @Test
  void two_stores_making_the_first_key_of_the_same_subjects_at_once_both_get_the_one_that_won() {
    io.vertx.sqlclient.Pool other = database.as(role).pool(vertx, 3);
    try {
      List<dev.temperstore.internal.subjects.SubjectKeys> stores = new ArrayList<>();
      for (io.vertx.sqlclient.Pool pool : List.of(runtime, other)) {
        stores.add(new dev.temperstore.internal.subjects.SubjectKeys(pool, Optional.of(
            new dev.temperstore.internal.subjects.SubjectCipher(TestKeys.ring(Map.of(1, TestKeys.KEY_1), 1))),
            SubjectSettings.defaults()));
      }
      List<io.smallrye.mutiny.Uni<Map<String, dev.temperstore.internal.subjects.KeyState.Live>>> racing =
          new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        for (dev.temperstore.internal.subjects.SubjectKeys store : stores) {
          racing.add(store.forWriting("acme", "append", List.of("s-" + i)));
        }
      }
      List<Map<String, dev.temperstore.internal.subjects.KeyState.Live>> keys =
          await(io.smallrye.mutiny.Uni.join().all(racing).andFailFast());

      for (int i = 0; i < 20; i++) {
        assertThat(keys.get(2 * i).get("s-" + i).key().getEncoded()).as("s-" + i)
            .isEqualTo(keys.get(2 * i + 1).get("s-" + i).key().getEncoded());
      }
      assertThat(database.admin().count("SELECT count(*) FROM temper_store_subject_keys")).isEqualTo(20);
    } finally {
      other.close().await();
    }
  }

  @Test
  void appends_racing_a_forget_either_fail_or_leave_events_that_never_decrypt_again() {
    List<io.smallrye.mutiny.Uni<Long>> appends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      PersistenceId stream = PersistenceId.parse("acme:Order:race-" + i);
      appends.add(client.append(stream, 0, List.of(ordered("c-7", 1)))
          .onFailure(SubjectForgotten.class).recoverWithItem(-1L));
      if (i == 20) {
        appends.add(client.forget("acme", "c-7", "dpo").map(receipt -> 0L));
      }
    }
    await(io.smallrye.mutiny.Uni.join().all(appends).andFailFast());

    SubjectCheck check = await(client.check("acme", "c-7", Optional.empty(), 100));
    assertThat(check.readable()).isZero();
    FeedHorizon.awaitPastEveryEvent(database);
    assertThat(await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 100)).events())
        .allSatisfy(event -> assertThat(event.event().redaction()).isPresent());
  }

  @Test
  void a_subscription_mid_delivery_sends_the_subjects_events_redacted_from_the_forget_on() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1), ordered("c-7", 2))));
    await(client.createSubscription(new dev.temperstore.feed.subscriptions.Subscription("acme", "orders",
        "app.refusing", FeedFilter.ALL, FeedPosition.START)));
    List<FeedEvent> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean refusing = new java.util.concurrent.atomic.AtomicBoolean(true);
    client.subscribe("app.refusing").subscribe().with(delivery -> {
      received.add(delivery.event());
      if (refusing.get()) {
        delivery.nack("not yet"); // sent again after the retry delay, from the deliverer's window
      } else {
        delivery.ack();
      }
    });
    eventually(Duration.ofSeconds(20), "the first delivery, in plaintext", () -> received.size() >= 2);
    assertThat(received.get(0).event().redaction()).isEmpty();

    await(client.forget("acme", "c-7", "dpo"));
    int atForget = received.size();
    refusing.set(false);
    await(client.append(INVOICE, 0, List.of(ordered("c-8", 1))));

    eventually(Duration.ofSeconds(20), "the other subject's event delivered after the forget",
        () -> received.subList(atForget, received.size()).stream()
            .anyMatch(event -> event.persistenceId().equals(INVOICE)));
    List<FeedEvent> after = received.subList(atForget, received.size());
    assertThat(after.stream().filter(event -> event.persistenceId().equals(ORDER)).toList())
        .as("the forgotten subject's events sent again after the forget").hasSize(2)
        .allSatisfy(event -> {
          assertThat(event.event().redaction()).isPresent();
          assertThat(event.event().payload().toString()).doesNotContain(PLAINTEXT_MARKER);
        });
  }

  @Test
  void a_personal_snapshot_is_ciphertext_in_the_table_idempotent_to_save_again_and_absent_once_forgotten() {
    byte[] state = (PLAINTEXT_MARKER + " state of c-7").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    await(client.save(ORDER, 3, state, "c-7"));
    await(client.save(ORDER, 3, state, "c-7")); // a retry: the same bytes at the same place
    assertThatThrownBy(() -> await(client.save(ORDER, 3, "other".getBytes(), "c-7")))
        .isInstanceOf(dev.temperstore.errors.ConcurrencyConflict.class);

    assertThat(database.admin().strings("SELECT subject || ' ' || (position(convert_to('" + PLAINTEXT_MARKER
        + "', 'UTF8') IN state) = 0)::text FROM snapshots")).containsExactly("c-7 true");
    assertThat(await(client.load(ORDER)).orElseThrow().state()).isEqualTo(state);

    await(client.forget("acme", "c-7", "dpo"));

    assertThat(await(client.load(ORDER))).as("loaded as absent: rebuild from the redacted events").isEmpty();
    assertThatThrownBy(() -> await(client.save(ORDER, 4, state, "c-7"))).isInstanceOf(SubjectForgotten.class);
    await(client.save(ORDER, 4, "plain".getBytes()));
    assertThat(database.admin().strings("SELECT coalesce(subject, 'none') FROM snapshots")).containsExactly("none");
    assertThat(await(client.load(ORDER)).orElseThrow().state()).isEqualTo("plain".getBytes());
  }

  @Test
  void a_master_key_rotation_wraps_every_data_key_again_and_the_fields_still_read() {
    await(client.append(ORDER, 0, List.of(ordered("c-7", 1))));
    await(client.append(INVOICE, 0, List.of(ordered("c-8", 1))));
    await(client.forget("acme", "c-8", "dpo"));
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    vertx.deployVerticle(new StoreVerticle(settings("temper.store")
        .withSecrets(TestKeys.settings(Map.of(1, TestKeys.KEY_1, 2, TestKeys.KEY_2), 2)))).await();

    assertThat(await(client.rotate("acme", 100))).isEqualTo(new dev.temperstore.secrets.RotationProgress(1, 0, 0));

    assertThat(database.admin().strings("SELECT subject || ' ' || coalesce(key_version::text, 'none')"
        + " FROM temper_store_subject_keys ORDER BY subject")).containsExactly("c-7 2", "c-8 none");
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    vertx.deployVerticle(new StoreVerticle(settings("temper.store")
        .withSecrets(TestKeys.settings(Map.of(2, TestKeys.KEY_2), 2)))).await();
    StoredEvent read = await(client.read(ORDER, 0, 1)).events().get(0);
    assertThat(read.redaction()).as("read with the new master key alone").isEmpty();
    assertThat(((JsonObject) read.payload()).getJsonObject("customer").getString("name"))
        .isEqualTo(PLAINTEXT_MARKER + " name 1");
  }

  @Test
  void hostile_personal_fields_get_a_400_that_names_the_field() {
    JsonObject payload = new JsonObject().put("name", "x").put("age", 7).put("tags", new JsonArray().add("a"));
    List<Object[]> cases = List.of(
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("name")),
            "is not a JSON pointer to a field"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/a~2b")),
            "'~' must be followed by 0 or 1"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/missing")),
            "is not in the payload"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/age")),
            "is not a string"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/tags")),
            "is not a string"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray()), "1 to 64 fields"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/name").add("/name")),
            "is marked twice"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", "/name"), "fields must be a JSON array"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add(3)),
            "fields[0] must be a string"},
        new Object[] {new JsonObject().put("subject", "x".repeat(257)).put("fields", new JsonArray().add("/name")),
            "subject must be 1 to 256 characters"},
        new Object[] {new JsonObject().put("subject", "").put("fields", new JsonArray().add("/name")),
            "subject must be 1 to 256 characters"},
        new Object[] {new JsonObject().put("subject", "a\uD800b").put("fields", new JsonArray().add("/name")),
            "unpaired UTF-16 surrogate"},
        new Object[] {new JsonObject().put("subject", "a\u0000b").put("fields", new JsonArray().add("/name")),
            "NUL"},
        new Object[] {new JsonObject().put("subject", 12).put("fields", new JsonArray().add("/name")),
            "subject must be a string"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/name"))
            .put("replacements", new JsonObject().put("/age", "x")), "which is not a marked personal field"},
        new Object[] {new JsonObject().put("subject", "s").put("fields", new JsonArray().add("/name"))
            .put("replacements", new JsonObject().put("/name", 5)), "must be a string"});
    for (Object[] each : cases) {
      JsonObject event = new JsonObject().put("eventType", "E").put("payload", payload)
          .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "a"))
          .put("personal", each[0]);
      ReplyException failure = failure(Addresses.EVENTS_APPEND, new JsonObject()
          .put("persistenceId", "acme:Order:o-1").put("expectedSequence", 0).put("events", new JsonArray().add(event)));
      assertThat(failure.failureCode()).as("%s", each[0]).isEqualTo(400);
      assertThat(new JsonObject(failure.getMessage()).getString("message")).as("%s", each[0])
          .startsWith("events[0].personal.").contains((String) each[1]);
    }
    for (String operation : List.of(Addresses.SUBJECTS_FORGET, Addresses.SUBJECTS_EXPORT, Addresses.SUBJECTS_CHECK)) {
      assertThat(failure(operation, new JsonObject().put("tenant", "acme")).failureCode()).isEqualTo(400);
      assertThat(failure(operation, new JsonObject().put("tenant", "acme").put("subject", "x".repeat(300)))
          .getMessage()).contains("subject is longer than 256");
      assertThat(failure(operation, new JsonObject().put("tenant", "acme").put("subject", "a\uDC00"))
          .getMessage()).contains("unpaired UTF-16 surrogate");
    }
    assertThat(failure(Addresses.SUBJECTS_EXPORT, new JsonObject().put("tenant", "acme").put("subject", "s")
        .put("after", new JsonObject().put("persistenceId", "beta:Order:o-1").put("sequenceNr", 1))).getMessage())
        .contains("after names a stream of tenant beta");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subject_keys")).isZero();
  }

  private ReplyException failure(String operation, JsonObject body) {
    try {
      vertx.eventBus().request("temper.store." + operation, body).await();
    } catch (ReplyException e) {
      return e;
    }
    throw new AssertionError(operation + " succeeded");
  }
}
