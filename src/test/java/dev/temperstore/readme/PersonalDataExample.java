package dev.temperstore.readme;

import dev.temperstore.client.StoreClient;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.SubjectExport;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

public final class PersonalDataExample {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** An order whose customer's name and e-mail are personal data of customer c-42; then c-42 is forgotten. */
  static List<StoredEvent> run(StoreClient store) {
    PersistenceId order = PersistenceId.parse("acme:Order:o-7");
    NewEvent placed = new NewEvent("OrderPlaced", new JsonObject().put("total", 1999)
            .put("customer", new JsonObject().put("id", "c-42").put("name", "Ada").put("email", "ada@example.com")),
        EventMetadata.root(UUID.randomUUID(), "user-7"))
        .markedPersonal(PersonalData.of("c-42", "/customer/name", "/customer/email")
            .withReplacement("/customer/name", "(forgotten)"));
    store.append(order, 0, List.of(placed)).await().atMost(TIMEOUT);

    // Stored encrypted under c-42's own key; read back as written while c-42 is known.
    StoredEvent before = store.read(order, 0, 10).await().atMost(TIMEOUT).events().get(0);

    // Right of access: every personal field of c-42, in every stream, page by page.
    SubjectExport export = store.export("acme", "c-42", Optional.empty(), 100).await().atMost(TIMEOUT);

    // Right to erasure: c-42's key is destroyed. From now on every read path gives the replacements (name
    // "(forgotten)", e-mail null) and says so in redaction(); a new append that marks c-42 is refused (410).
    store.forget("acme", "c-42", "dpo@acme").await().atMost(TIMEOUT);
    StoredEvent after = store.read(order, 0, 10).await().atMost(TIMEOUT).events().get(0);
    return List.of(before, after);
  }
}
