package dev.temperstore.internal.subjects;

import dev.temperstore.internal.input.Pointers;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.Redaction;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The events of one read whose personal fields are sealed, opened together before the read is answered: one key
 * lookup per tenant for the page, then each event's fields decrypted, or replaced (and the event marked redacted)
 * when its subject was forgotten or its fields cannot be decrypted. Events without personal fields are not touched.
 */
public final class Opening {

  private static final Logger LOG = LoggerFactory.getLogger(Opening.class);

  private record Item(int index, PersistenceId stream, SealedFields sealed) {
  }

  private final List<Item> items = new ArrayList<>();

  /** The event at {@code index} of the page, of {@code stream}, has the stored personal fields {@code personalJson}. */
  public void add(int index, PersistenceId stream, long sequence, String personalJson) {
    try {
      items.add(new Item(index, stream, SealedFields.parse(personalJson)));
    } catch (IllegalArgumentException e) {
      throw new StorageFailure("serialization error: the personal fields of " + stream + " at sequence " + sequence
          + " cannot be read: " + e.getMessage(), e);
    }
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** Replaces each sealed event of {@code page} by its opened form: {@code event} reads it, {@code with} puts it back. */
  public <T> Uni<List<T>> open(SubjectKeys keys, List<T> page, Function<T, StoredEvent> event,
                               BiFunction<T, StoredEvent, T> with) {
    Map<String, Set<String>> subjectsByTenant = new LinkedHashMap<>();
    for (Item item : items) {
      subjectsByTenant.computeIfAbsent(item.stream.tenant(), tenant -> new LinkedHashSet<>())
          .add(item.sealed.marking().subject());
    }
    Map<String, Map<String, KeyState>> states = new HashMap<>();
    Uni<Void> read = Uni.createFrom().voidItem();
    for (Map.Entry<String, Set<String>> tenant : subjectsByTenant.entrySet()) {
      read = read.flatMap(ignored -> keys.forReading(tenant.getKey(), tenant.getValue())
          .invoke(found -> states.put(tenant.getKey(), found)).replaceWithVoid());
    }
    return read.map(ignored -> {
      for (Item item : items) {
        T holder = page.get(item.index);
        KeyState state = states.get(item.stream.tenant()).get(item.sealed.marking().subject());
        page.set(item.index, with.apply(holder, open(keys.cipher(), item.stream, event.apply(holder), item.sealed,
            state == null ? new KeyState.Unavailable("no data key was ever made for it") : state)));
      }
      return page;
    });
  }

  /** {@code stored} (its personal fields null) with its fields as written, or replaced when that cannot be. */
  static StoredEvent open(Optional<SubjectCipher> cipher, PersistenceId stream, StoredEvent stored,
                          SealedFields sealed, KeyState state) {
    PersonalData marking = sealed.marking();
    Object payload = copy(stored.payload());
    if (state instanceof KeyState.Live live && cipher.isPresent()) {
      try {
        List<String> values = cipher.get().open(live.key(), stream, stored.sequenceNr(), marking.subject(),
            marking.fields(), sealed.sealed());
        for (int i = 0; i < values.size(); i++) {
          Pointers.set(payload, marking.fields().get(i), values.get(i));
        }
        return new StoredEvent(stored.sequenceNr(), stored.eventType(), payload, stored.metadata(),
            Optional.of(marking), Optional.empty());
      } catch (SubjectCipher.KeyUnavailable e) {
        LOG.warn("personal fields of {} at sequence {} (subject {}) do not decrypt: {}", stream,
            stored.sequenceNr(), marking.subject(), e.getMessage());
        state = new KeyState.Unavailable(e.getMessage());
      }
    }
    for (String field : marking.fields()) {
      Pointers.set(payload, field, marking.replacement(field));
    }
    Redaction redaction = state instanceof KeyState.Forgotten forgotten
        ? new Redaction(marking.fields(), Optional.of(forgotten.since()), Redaction.FORGOTTEN)
        : new Redaction(marking.fields(), Optional.empty(), Redaction.UNREADABLE);
    return new StoredEvent(stored.sequenceNr(), stored.eventType(), payload, stored.metadata(),
        Optional.of(marking), Optional.of(redaction));
  }

  /** {@code opened} (its personal fields as written) with them replaced: its subject was forgotten at {@code since}. */
  public static StoredEvent forgotten(StoredEvent opened, java.time.Instant since) {
    PersonalData marking = opened.personal().orElseThrow();
    Object payload = copy(opened.payload());
    for (String field : marking.fields()) {
      Pointers.set(payload, field, marking.replacement(field));
    }
    return new StoredEvent(opened.sequenceNr(), opened.eventType(), payload, opened.metadata(),
        Optional.of(marking), Optional.of(new Redaction(marking.fields(), Optional.of(since), Redaction.FORGOTTEN)));
  }

  private static Object copy(Object payload) {
    return payload instanceof JsonObject object ? object.copy()
        : payload instanceof JsonArray array ? array.copy() : payload;
  }
}
