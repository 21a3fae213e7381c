package dev.temperstore.internal.subjects;

import dev.temperstore.subjects.PersonalData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event's personal fields as stored: under {@code personal} in the event's metadata, the marking (subject,
 * pointers, replacements) in the clear and the values sealed ({@link SubjectCipher#seal}); the payload holds null at
 * each pointer. Only the store writes this key: an appended event's metadata is built from typed fields.
 */
public record SealedFields(PersonalData marking, String sealed) {

  /** The metadata key it is stored under. */
  public static final String KEY = "personal";

  /** As stored: {@code {"subject":…, "fields":[…], "replacements":{…}, "sealed":…}}. */
  public String toJson() {
    JsonObject json = new JsonObject().put("subject", marking.subject())
        .put("fields", new JsonArray(List.copyOf(marking.fields())));
    if (!marking.replacements().isEmpty()) {
      json.put("replacements", new JsonObject(new LinkedHashMap<>(marking.replacements())));
    }
    return json.put("sealed", sealed).encode();
  }

  /** @throws IllegalArgumentException when {@code json} is not of this shape */
  public static SealedFields parse(String json) {
    try {
      JsonObject object = new JsonObject(json);
      JsonArray fields = object.getJsonArray("fields");
      Map<String, String> replacements = new LinkedHashMap<>();
      JsonObject stored = object.getJsonObject("replacements");
      if (stored != null) {
        stored.forEach(entry -> replacements.put(entry.getKey(), (String) entry.getValue()));
      }
      @SuppressWarnings("unchecked")
      List<String> pointers = (List<String>) (List<?>) fields.getList();
      return new SealedFields(new PersonalData(object.getString("subject"), pointers, replacements),
          object.getString("sealed"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the stored personal fields are not of the store's shape: "
          + e.getClass().getSimpleName());
    }
  }
}
