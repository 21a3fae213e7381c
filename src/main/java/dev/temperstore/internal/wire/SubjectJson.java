package dev.temperstore.internal.wire;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.IsoInstant;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.internal.input.Text;
import dev.temperstore.subjects.ForgetReceipt;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.PersonalRecord;
import dev.temperstore.subjects.Redaction;
import dev.temperstore.subjects.SubjectCheck;
import dev.temperstore.subjects.SubjectCursor;
import dev.temperstore.subjects.SubjectExport;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** The wire form of personal data: an event's marking and redaction, and the subjects' operations. */
public final class SubjectJson {

  private SubjectJson() {
  }

  /** {@code {"subject":…, "fields":[…], "replacements":{…}}}, replacements only when there are any. */
  public static JsonObject personal(PersonalData personal) {
    JsonObject json = new JsonObject().put("subject", personal.subject())
        .put("fields", new JsonArray(List.copyOf(personal.fields())));
    if (!personal.replacements().isEmpty()) {
      json.put("replacements", new JsonObject(new LinkedHashMap<>(personal.replacements())));
    }
    return json;
  }

  /**
   * An event's {@code personal} field, checked against its {@code payload}: a 400 naming the field for a subject,
   * pointer or replacement the store does not take, or a pointer to no string of the payload.
   */
  public static PersonalData personal(Fields fields, Object payload) {
    try {
      Object subject = fields.json().getValue("subject");
      if (!(subject instanceof String text)) {
        throw new InvalidRequest("subject must be a string, got " + Fields.describe(subject));
      }
      Object pointers = fields.json().getValue("fields");
      if (!(pointers instanceof JsonArray array)) {
        throw new InvalidRequest("fields must be a JSON array of JSON pointers, got " + Fields.describe(pointers));
      }
      if (array.size() > PersonalData.MAX_FIELDS) {
        throw new InvalidRequest("fields has " + array.size() + " items, more than " + PersonalData.MAX_FIELDS);
      }
      List<String> marked = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String pointer)) {
          throw new InvalidRequest("fields[" + i + "] must be a string, got " + Fields.describe(array.getValue(i)));
        }
        marked.add(pointer);
      }
      Map<String, String> replacements = new LinkedHashMap<>();
      Object given = fields.json().getValue("replacements");
      if (given != null) {
        if (!(given instanceof JsonObject object)) {
          throw new InvalidRequest("replacements must be a JSON object, got " + Fields.describe(given));
        }
        for (Map.Entry<String, Object> entry : object) {
          if (!(entry.getValue() instanceof String value)) {
            throw new InvalidRequest("replacements[\"" + Text.shown(entry.getKey()) + "\"] must be a string, got "
                + Fields.describe(entry.getValue()));
          }
          replacements.put(entry.getKey(), value);
        }
      }
      PersonalData personal = new PersonalData(text, marked, replacements);
      personal.valuesIn(payload);
      return personal;
    } catch (InvalidRequest e) {
      throw new InvalidRequest(fields.where("") + e.getMessage());
    }
  }

  /** A reply's marking, read without the input gate. */
  public static PersonalData personalReply(JsonObject json) {
    Map<String, String> replacements = new LinkedHashMap<>();
    JsonObject stored = json.getJsonObject("replacements");
    if (stored != null) {
      stored.forEach(entry -> replacements.put(entry.getKey(), (String) entry.getValue()));
    }
    List<String> fields = new ArrayList<>();
    json.getJsonArray("fields").forEach(field -> fields.add((String) field));
    return new PersonalData(json.getString("subject"), fields, replacements);
  }

  /** {@code {"fields":[…], "since":…, "reason":…}}, since only when the subject was forgotten. */
  public static JsonObject redaction(Redaction redaction) {
    JsonObject json = new JsonObject().put("fields", new JsonArray(List.copyOf(redaction.fields())));
    redaction.since().ifPresent(since -> json.put("since", IsoInstant.format(since)));
    return json.put("reason", redaction.reason());
  }

  public static Redaction redactionReply(JsonObject json) {
    List<String> fields = new ArrayList<>();
    json.getJsonArray("fields").forEach(field -> fields.add((String) field));
    String since = json.getString("since");
    return new Redaction(fields, since == null ? Optional.empty() : Optional.of(IsoInstant.parse(since)),
        json.getString("reason"));
  }

  /** The fields a stored event's reply adds when it has personal data: {@code personal}, and {@code redacted}. */
  static <T> List<JsonView.Field<T>> eventFields(Function<T, StoredEvent> event, boolean redacted) {
    List<JsonView.Field<T>> fields = new ArrayList<>();
    fields.add(new JsonView.Field<>("personal", holder -> personal(event.apply(holder).personal().orElseThrow())));
    if (redacted) {
      fields.add(new JsonView.Field<>("redacted",
          holder -> redaction(event.apply(holder).redaction().orElseThrow())));
    }
    return fields;
  }

  public static JsonObject cursor(SubjectCursor cursor) {
    return new JsonObject().put("persistenceId", cursor.stream().toString()).put("sequenceNr", cursor.sequenceNr());
  }

  /** The optional {@code after} of an export or check: a stream and a sequence. */
  public static Optional<SubjectCursor> after(Fields request) {
    return request.optionalObject("after").map(after -> new SubjectCursor(EventJson.persistenceId(after),
        after.nonNegativeLong("sequenceNr")));
  }

  public static JsonObject receipt(ForgetReceipt receipt) {
    return new JsonObject().put("tenant", receipt.tenant()).put("subject", receipt.subject())
        .put("forgottenAt", IsoInstant.format(receipt.forgottenAt())).put("already", receipt.already());
  }

  public static ForgetReceipt receiptReply(JsonObject json) {
    return new ForgetReceipt(json.getString("tenant"), json.getString("subject"),
        IsoInstant.parse(json.getString("forgottenAt")), json.getBoolean("already"));
  }

  public static JsonObject export(SubjectExport export) {
    JsonArray records = new JsonArray();
    for (PersonalRecord record : export.records()) {
      records.add(new JsonObject().put("persistenceId", record.stream().toString())
          .put("sequenceNr", record.sequenceNr()).put("eventId", record.eventId().toString())
          .put("fields", new JsonObject(new LinkedHashMap<>(record.fields()))));
    }
    JsonObject json = new JsonObject().put("tenant", export.tenant()).put("subject", export.subject())
        .put("records", records);
    export.next().ifPresent(next -> json.put("next", cursor(next)));
    export.forgottenAt().ifPresent(since -> json.put("forgottenAt", IsoInstant.format(since)));
    return json;
  }

  public static SubjectExport exportReply(JsonObject json) {
    List<PersonalRecord> records = new ArrayList<>();
    JsonArray array = json.getJsonArray("records");
    for (int i = 0; i < array.size(); i++) {
      JsonObject record = array.getJsonObject(i);
      Map<String, String> fields = new LinkedHashMap<>();
      record.getJsonObject("fields").forEach(entry -> fields.put(entry.getKey(), (String) entry.getValue()));
      records.add(new PersonalRecord(PersistenceId.parse(record.getString("persistenceId")),
          record.getLong("sequenceNr"), UUID.fromString(record.getString("eventId")), fields));
    }
    return new SubjectExport(json.getString("tenant"), json.getString("subject"), records, nextReply(json),
        instantReply(json, "forgottenAt"));
  }

  public static JsonObject check(SubjectCheck check) {
    JsonObject json = new JsonObject().put("tenant", check.tenant()).put("subject", check.subject())
        .put("events", check.events()).put("readable", check.readable()).put("keyPresent", check.keyPresent());
    check.forgottenAt().ifPresent(since -> json.put("forgottenAt", IsoInstant.format(since)));
    check.next().ifPresent(next -> json.put("next", cursor(next)));
    return json;
  }

  public static SubjectCheck checkReply(JsonObject json) {
    return new SubjectCheck(json.getString("tenant"), json.getString("subject"), json.getLong("events"),
        json.getLong("readable"), instantReply(json, "forgottenAt"), json.getBoolean("keyPresent"),
        nextReply(json));
  }

  private static Optional<SubjectCursor> nextReply(JsonObject json) {
    JsonObject next = json.getJsonObject("next");
    return next == null ? Optional.empty() : Optional.of(new SubjectCursor(
        PersistenceId.parse(next.getString("persistenceId")), next.getLong("sequenceNr")));
  }

  private static Optional<Instant> instantReply(JsonObject json, String name) {
    String text = json.getString(name);
    return text == null ? Optional.empty() : Optional.of(IsoInstant.parse(text));
  }
}
