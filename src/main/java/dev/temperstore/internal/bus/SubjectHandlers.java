package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.Fields;
import dev.temperstore.internal.wire.SubjectJson;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.SubjectStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Data subjects on the bus: forget (audited with the caller, as the lifecycle's actions are), export and the
 * forget's check, each paged by an {@code after} cursor.
 */
public final class SubjectHandlers {

  private final SubjectStore subjects;
  private final int maxLimit;

  public SubjectHandlers(SubjectStore subjects, int maxLimit) {
    this.subjects = subjects;
    this.maxLimit = maxLimit;
  }

  public void register(Endpoints endpoints) {
    endpoints
        .serve(Addresses.SUBJECTS_FORGET, this::forget)
        .serve(Addresses.SUBJECTS_EXPORT, this::export)
        .serve(Addresses.SUBJECTS_CHECK, this::check);
  }

  private Uni<JsonObject> forget(Fields request) {
    String tenant = request.tenant("tenant");
    String subject = subject(request);
    return subjects.forget(tenant, subject, LifecycleHandlers.actor(request)).map(SubjectJson::receipt);
  }

  private Uni<JsonObject> export(Fields request) {
    String tenant = request.tenant("tenant");
    String subject = subject(request);
    return subjects.export(tenant, subject, SubjectJson.after(request), limit(request)).map(SubjectJson::export);
  }

  private Uni<JsonObject> check(Fields request) {
    String tenant = request.tenant("tenant");
    String subject = subject(request);
    return subjects.check(tenant, subject, SubjectJson.after(request), limit(request)).map(SubjectJson::check);
  }

  private int limit(Fields request) {
    return request.intBetween("limit", 1, maxLimit, Math.min(1000, maxLimit));
  }

  private static String subject(Fields request) {
    return request.string("subject", PersonalData.MAX_SUBJECT_LENGTH);
  }
}
