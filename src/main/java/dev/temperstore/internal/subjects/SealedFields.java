package dev.temperstore.internal.subjects;

import dev.temperstore.subjects.PersonalData;
import dev.temperstore.internal.wire.SubjectJson;
import io.vertx.core.json.JsonObject;

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
    return SubjectJson.personal(marking).put("sealed", sealed).encode();
  }

  /** @throws IllegalArgumentException when {@code json} is not of this shape */
  public static SealedFields parse(String json) {
    try {
      JsonObject object = new JsonObject(json);
      return new SealedFields(SubjectJson.personalReply(object), object.getString("sealed"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the stored personal fields are not of the store's shape: "
          + e.getClass().getSimpleName());
    }
  }
}
