package dev.temperstore.internal.subjects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.internal.input.Pointers;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.Redaction;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
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

/**
 * The events of one read whose personal fields are sealed, opened together before the read is answered: one key
 * lookup per tenant for the page, then each event's fields decrypted, or replaced (and the event marked redacted)
 * when its subject was forgotten or its fields cannot be decrypted. Events without personal fields are not touched.
 */
public final class Opening {

  private static final Logger LOG = LoggerFactory.getLogger(Opening.class);
  /** Markings parsed: the same text for every event of a subject that marks the same fields. */
  private static final Cache<String, PersonalData> MARKINGS = Caffeine.newBuilder().maximumSize(1_000).build();

  /** An event read with its personal fields sealed: its stored parts, as the reader took them from the row. */
  private record Item(int index, PersistenceId stream, long sequence, String eventType, String payloadJson,
                      EventMetadata metadata, PersonalData marking, String sealed) {
  }

  private final List<Item> items = new ArrayList<>();

  /**
   * The event at {@code index} of the page has personal fields: {@code markingJson} and {@code sealed} are the
   * columns MetadataColumns reads them as.
   *
   * @throws StorageFailure when the marking is not of the store's shape
   */
  public void add(int index, PersistenceId stream, long sequence, String eventType, String payloadJson,
                  EventMetadata metadata, String markingJson, String sealed) {
    PersonalData marking;
    try {
      marking = MARKINGS.get(markingJson, json -> SealedFields.parse(json).marking());
    } catch (IllegalArgumentException e) {
      throw new StorageFailure("serialization error: the personal fields of " + stream + " at sequence " + sequence
          + " cannot be read: " + e.getMessage(), e);
    }
    items.add(new Item(index, stream, sequence, eventType, payloadJson, metadata, marking, sealed));
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /**
   * Replaces each sealed event of {@code page} by its opened form, which {@code with} puts into the page's holder:
   * its fields' values decrypted, or their replacements (and the event marked redacted).
   */
  public <T> Uni<List<T>> open(SubjectKeys keys, List<T> page, BiFunction<T, StoredEvent, T> with) {
    Map<String, Set<String>> subjectsByTenant = new LinkedHashMap<>();
    for (Item item : items) {
      subjectsByTenant.computeIfAbsent(item.stream.tenant(), tenant -> new LinkedHashSet<>())
          .add(item.marking.subject());
    }
    Map<String, Map<String, KeyState>> states = new HashMap<>();
    Uni<Void> read = Uni.createFrom().voidItem();
    for (Map.Entry<String, Set<String>> tenant : subjectsByTenant.entrySet()) {
      read = read.flatMap(ignored -> keys.forReading(tenant.getKey(), tenant.getValue())
          .invoke(found -> states.put(tenant.getKey(), found)).replaceWithVoid());
    }
    return read.map(ignored -> {
      for (Item item : items) {
        KeyState state = states.get(item.stream.tenant()).get(item.marking.subject());
        page.set(item.index, with.apply(page.get(item.index), open(keys.cipher(), item,
            state == null ? new KeyState.Unavailable("no data key was ever made for it") : state)));
      }
      return page;
    });
  }

  /** {@code item} with its fields as written, or replaced when that cannot be. */
  private static StoredEvent open(Optional<SubjectCipher> cipher, Item item, KeyState state) {
    PersonalData marking = item.marking;
    if (state instanceof KeyState.Live live && cipher.isPresent()) {
      try {
        List<String> values = cipher.get().open(live.key(), item.stream, item.sequence, marking.subject(),
            marking.fields(), item.sealed);
        return StoredEvent.withPayloadJson(item.sequence, item.eventType, item.payloadJson, item.metadata, marking,
            values, Optional.empty());
      } catch (SubjectCipher.KeyUnavailable e) {
        LOG.warn("personal fields of {} at sequence {} (subject {}) do not decrypt: {}", item.stream,
            item.sequence, marking.subject(), e.getMessage());
        state = new KeyState.Unavailable(e.getMessage());
      }
    }
    Redaction redaction = state instanceof KeyState.Forgotten forgotten
        ? new Redaction(marking.fields(), Optional.of(forgotten.since()), Redaction.FORGOTTEN)
        : new Redaction(marking.fields(), Optional.empty(), Redaction.UNREADABLE);
    return StoredEvent.withPayloadJson(item.sequence, item.eventType, item.payloadJson, item.metadata, marking,
        replacements(marking), Optional.of(redaction));
  }

  private static List<String> replacements(PersonalData marking) {
    List<String> values = new ArrayList<>(marking.fields().size());
    marking.fields().forEach(field -> values.add(marking.replacement(field)));
    return values;
  }

  /** {@code opened} (its personal fields as written) with them replaced: its subject was forgotten at {@code since}. */
  public static StoredEvent forgotten(StoredEvent opened, java.time.Instant since) {
    PersonalData marking = opened.personal().orElseThrow();
    Object payload = opened.copy().payload();
    for (String field : marking.fields()) {
      Pointers.set(payload, field, marking.replacement(field));
    }
    return new StoredEvent(opened.sequenceNr(), opened.eventType(), payload, opened.metadata(),
        Optional.of(marking), Optional.of(new Redaction(marking.fields(), Optional.of(since), Redaction.FORGOTTEN)));
  }
}
