package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.Fields;
import dev.temperstore.protocol.Addresses;

import dev.temperstore.errors.NotFound;
import dev.temperstore.secrets.SecretStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The secret store's operations on the bus. Only {@code get} replies with plaintext; the put request carries it
 * in, and nothing that fails ever echoes it.
 */
public final class SecretHandlers {

  /** Names and values are checked by the store's rules; these only bound what is read from the request. */
  private static final int MAX_KEY_NAME_LENGTH = 128;
  private static final int MAX_ROTATION_ROWS = 100_000;

  private final SecretStore store;
  private final int maxValueBytes;

  public SecretHandlers(SecretStore store, int maxValueBytes) {
    this.store = store;
    this.maxValueBytes = maxValueBytes;
  }

  public void register(Endpoints endpoints) {
    endpoints
        .serve(Addresses.SECRETS_PUT, this::put)
        .serve(Addresses.SECRETS_GET, this::get)
        .serve(Addresses.SECRETS_DELETE, this::delete)
        .serve(Addresses.SECRETS_LIST, this::list)
        .serve(Addresses.SECRETS_ROTATE, this::rotate);
  }

  private Uni<JsonObject> put(Fields request) {
    String tenant = tenant(request);
    String keyName = request.string("keyName", MAX_KEY_NAME_LENGTH);
    String value = request.secretValue("value", maxValueBytes);
    return store.put(tenant, keyName, value).map(created -> new JsonObject().put("created", created));
  }

  private Uni<JsonObject> get(Fields request) {
    String tenant = tenant(request);
    String keyName = request.string("keyName", MAX_KEY_NAME_LENGTH);
    return store.get(tenant, keyName).map(found -> found
        .map(value -> new JsonObject().put("value", value))
        .orElseThrow(() -> new NotFound("no secret \"" + keyName + "\" of tenant " + tenant)));
  }

  private Uni<JsonObject> delete(Fields request) {
    String tenant = tenant(request);
    String keyName = request.string("keyName", MAX_KEY_NAME_LENGTH);
    return store.delete(tenant, keyName).map(deleted -> new JsonObject().put("deleted", deleted));
  }

  private Uni<JsonObject> list(Fields request) {
    return store.listKeyNames(tenant(request)).map(names -> new JsonObject().put("keys", new JsonArray(names)));
  }

  private Uni<JsonObject> rotate(Fields request) {
    String tenant = tenant(request);
    int maxRows = request.intBetween("maxRows", 1, MAX_ROTATION_ROWS, 1000);
    return store.rotate(tenant, maxRows).map(progress -> new JsonObject().put("rotated", progress.rotated())
        .put("failed", progress.failed()).put("remaining", progress.remaining()));
  }

  private static String tenant(Fields request) {
    return request.tenant("tenant");
  }
}
