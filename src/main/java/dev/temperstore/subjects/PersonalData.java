package dev.temperstore.subjects;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which fields of an event's payload are personal data of whom: the store encrypts exactly those under the data
 * key of {@code subject} (docs/security.md, "Forgetting a person"), and once the subject is forgotten they read as
 * their replacement ({@code null} unless one is given here) with the event marked redacted.
 *
 * @param subject      the data subject, e.g. a customer id: an opaque id, not personal data itself (it is stored
 *                     in the clear, to find the subject's events and to refuse appends once it is forgotten)
 * @param fields       JSON pointers (RFC 6901) to string values of the payload, at least one
 * @param replacements what some fields read as once the subject is forgotten; absent ones read as null
 */
public record PersonalData(String subject, List<String> fields, Map<String, String> replacements) {

  /** Longer subject ids are refused: they are stored and indexed. */
  public static final int MAX_SUBJECT_LENGTH = 256;
  /** The most fields one event may mark. */
  public static final int MAX_FIELDS = 64;
  /** The longest pointer, in characters. */
  public static final int MAX_POINTER_LENGTH = 1024;
  /** The longest replacement, in characters. */
  public static final int MAX_REPLACEMENT_LENGTH = 1024;

  /**
   * @throws InvalidRequest when the subject is empty, too long or not storable text, a pointer is malformed, the
   *                        root, repeated or too long, or a replacement names a field that is not marked
   */
  public PersonalData {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(replacements, "replacements");
    checkSubject(subject);
    if (fields.isEmpty() || fields.size() > MAX_FIELDS) {
      throw new InvalidRequest("personal data must mark 1 to " + MAX_FIELDS + " fields, got " + fields.size());
    }
    Set<String> seen = new HashSet<>();
    for (String field : fields) {
      checkPointer(Objects.requireNonNull(field, "field"));
      if (!seen.add(field)) {
        throw new InvalidRequest("personal field \"" + Text.shown(field) + "\" is marked twice");
      }
    }
    for (Map.Entry<String, String> replacement : replacements.entrySet()) {
      if (!seen.contains(replacement.getKey())) {
        throw new InvalidRequest("replacement for \"" + Text.shown(String.valueOf(replacement.getKey()))
            + "\", which is not a marked personal field");
      }
      String value = Objects.requireNonNull(replacement.getValue(), "replacement");
      if (value.length() > MAX_REPLACEMENT_LENGTH) {
        throw new InvalidRequest("replacement for \"" + Text.shown(replacement.getKey()) + "\" is over "
            + MAX_REPLACEMENT_LENGTH + " characters");
      }
      Text.check("replacement for \"" + Text.shown(replacement.getKey()) + "\"", value);
    }
    fields = List.copyOf(fields);
    replacements = Map.copyOf(replacements);
  }

  /** {@code fields} of {@code subject}, each read as null once the subject is forgotten. */
  public static PersonalData of(String subject, String... fields) {
    return new PersonalData(subject, List.of(fields), Map.of());
  }

  /** This marking with {@code field} read as {@code value} once the subject is forgotten. */
  public PersonalData withReplacement(String field, String value) {
    Map<String, String> more = new LinkedHashMap<>(replacements);
    more.put(field, value);
    return new PersonalData(subject, fields, more);
  }

  /** What {@code field} reads as once the subject is forgotten: its replacement, or null. */
  public String replacement(String field) {
    return replacements.get(field);
  }

  /**
   * The marked values of {@code payload}, in the order of {@link #fields}.
   *
   * @throws InvalidRequest naming the field when one is missing from the payload or is not a string
   */
  public List<String> valuesIn(Object payload) {
    List<String> values = new ArrayList<>(fields.size());
    for (String field : fields) {
      Object value = payload instanceof JsonObject || payload instanceof JsonArray
          ? JsonPointer.from(field).queryJson(payload) : null;
      if (!(value instanceof String text)) {
        throw new InvalidRequest("personal field \"" + Text.shown(field) + "\" "
            + (value == null ? "is not in the payload" : "is not a string (only strings can be marked)"));
      }
      values.add(text);
    }
    return values;
  }

  /**
   * @throws InvalidRequest when {@code subject} is empty, over {@link #MAX_SUBJECT_LENGTH} characters, or holds a
   *                        NUL or an unpaired surrogate
   */
  public static String checkSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw new InvalidRequest("subject must be 1 to " + MAX_SUBJECT_LENGTH + " characters, got "
          + subject.length());
    }
    return Text.check("subject", subject);
  }

  private static void checkPointer(String field) {
    if (field.length() > MAX_POINTER_LENGTH) {
      throw new InvalidRequest("personal field pointer is over " + MAX_POINTER_LENGTH + " characters");
    }
    Text.check("personal field pointer", field);
    if (field.isEmpty() || field.charAt(0) != '/') {
      throw new InvalidRequest("personal field \"" + Text.shown(field)
          + "\" is not a JSON pointer to a field (RFC 6901: it starts with '/')");
    }
    for (int i = 0; i < field.length(); i++) {
      if (field.charAt(i) == '~' && (i + 1 == field.length() || (field.charAt(i + 1) != '0'
          && field.charAt(i + 1) != '1'))) {
        throw new InvalidRequest("personal field \"" + Text.shown(field)
            + "\" is not a JSON pointer: '~' must be followed by 0 or 1 (RFC 6901)");
      }
    }
  }
}
