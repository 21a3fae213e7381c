package dev.temperstore.internal.subjects;

import dev.temperstore.internal.input.Pointers;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** Seals the personal fields of the events of one append, under keys already at hand. */
public final class Sealer {

  /** An event's payload as stored (null at each personal field) and its {@link SealedFields}, as JSON. */
  public record Sealed(Object payload, String personalJson) {
  }

  private final SubjectCipher cipher;
  private final Map<String, KeyState.Live> keys;

  /** {@code keys}: the live key of every subject the append marks. */
  public Sealer(SubjectCipher cipher, Map<String, KeyState.Live> keys) {
    this.cipher = cipher;
    this.keys = keys;
  }

  /** The event at {@code sequence} of {@code stream}, whose {@code payload} {@code marking} marks. */
  public Sealed seal(PersistenceId stream, long sequence, PersonalData marking, Object payload) {
    List<String> values = marking.valuesIn(payload);
    Object stored = payload instanceof JsonObject object ? object.copy() : ((JsonArray) payload).copy();
    for (String field : marking.fields()) {
      Pointers.set(stored, field, null);
    }
    String sealed = cipher.seal(keys.get(marking.subject()).key(), stream, sequence, marking.subject(),
        marking.fields(), values);
    return new Sealed(stored, new SealedFields(marking, sealed).toJson());
  }
}
