package dev.temperstore.service.bridge;

import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The store operations a bridge forwards: per operation, the permissions a token needs for it and where its
 * request names the tenants it touches. The body is untrusted JSON of any shape; what cannot name a tenant is a
 * 403 here, and the store's own checks still apply to whatever passes.
 */
enum BridgeOperation {
  EVENTS_APPEND(Addresses.EVENTS_APPEND, TenantField.PERSISTENCE_ID, Permission.WRITE),
  EVENTS_APPEND_BATCH(Addresses.EVENTS_APPEND_BATCH, TenantField.APPENDS, Permission.WRITE),
  EVENTS_READ(Addresses.EVENTS_READ, TenantField.PERSISTENCE_ID, Permission.READ),
  EVENTS_LIST_ENTITIES(Addresses.EVENTS_LIST_ENTITIES, TenantField.TENANT, Permission.READ),
  EVENTS_READ_ALL(Addresses.EVENTS_READ_ALL, TenantField.TENANT_OR_ALL, Permission.READ),
  STREAMS_TRUNCATE(Addresses.STREAMS_TRUNCATE, TenantField.PERSISTENCE_ID, Permission.DELETE),
  STREAMS_DELETE(Addresses.STREAMS_DELETE, TenantField.PERSISTENCE_ID, Permission.DELETE),
  STREAMS_TOMBSTONE(Addresses.STREAMS_TOMBSTONE, TenantField.PERSISTENCE_ID, Permission.DELETE),
  RETENTION_SET(Addresses.RETENTION_SET, TenantField.TENANT, Permission.RETENTION),
  RETENTION_CLEAR(Addresses.RETENTION_CLEAR, TenantField.TENANT, Permission.RETENTION),
  RETENTION_LIST(Addresses.RETENTION_LIST, TenantField.TENANT, Permission.READ),
  /** An operator's: a tenant's own token, whatever else it holds, never has {@code operator}. */
  TENANTS_PURGE(Addresses.TENANTS_PURGE, TenantField.TENANT, Permission.OPERATOR, Permission.DELETE),
  SNAPSHOTS_SAVE(Addresses.SNAPSHOTS_SAVE, TenantField.PERSISTENCE_ID, Permission.WRITE),
  SNAPSHOTS_LOAD(Addresses.SNAPSHOTS_LOAD, TenantField.PERSISTENCE_ID, Permission.READ),
  SECRETS_PUT(Addresses.SECRETS_PUT, TenantField.TENANT, Permission.SECRETS, Permission.WRITE),
  SECRETS_GET(Addresses.SECRETS_GET, TenantField.TENANT, Permission.SECRETS, Permission.READ),
  SECRETS_DELETE(Addresses.SECRETS_DELETE, TenantField.TENANT, Permission.WRITE),
  SECRETS_LIST(Addresses.SECRETS_LIST, TenantField.TENANT, Permission.READ),
  SECRETS_ROTATE(Addresses.SECRETS_ROTATE, TenantField.TENANT, Permission.WRITE),
  SUBJECTS_FORGET(Addresses.SUBJECTS_FORGET, TenantField.TENANT, Permission.SUBJECTS),
  SUBJECTS_EXPORT(Addresses.SUBJECTS_EXPORT, TenantField.TENANT, Permission.SUBJECTS, Permission.READ),
  SUBJECTS_CHECK(Addresses.SUBJECTS_CHECK, TenantField.TENANT, Permission.SUBJECTS),
  /** Its {@code address} is confined too ({@link DeliveryAddresses#checkRequest}). */
  SUBSCRIPTIONS_CREATE(Addresses.SUBSCRIPTIONS_CREATE, TenantField.TENANT, Permission.SUBSCRIBE),
  SUBSCRIPTIONS_LIST(Addresses.SUBSCRIPTIONS_LIST, TenantField.TENANT, Permission.READ),
  SUBSCRIPTIONS_RESET(Addresses.SUBSCRIPTIONS_RESET, TenantField.TENANT, Permission.SUBSCRIBE),
  SUBSCRIPTIONS_DELETE(Addresses.SUBSCRIPTIONS_DELETE, TenantField.TENANT, Permission.SUBSCRIBE),
  /** Its {@code address} is confined as for create; joining takes streams from the other members. */
  SUBSCRIPTIONS_JOIN(Addresses.SUBSCRIPTIONS_JOIN, TenantField.TENANT, Permission.SUBSCRIBE),
  SUBSCRIPTIONS_LEAVE(Addresses.SUBSCRIPTIONS_LEAVE, TenantField.TENANT, Permission.SUBSCRIBE),
  /** The service's, not the store's (a token is the bridge's matter): an operator's, touching every tenant. */
  TOKENS_REVOKE(TokenRevocations.OPERATION, TenantField.EVERY, Permission.OPERATOR);

  private final String operation;
  private final TenantField tenantField;
  private final Set<Permission> permissions;

  BridgeOperation(String operation, TenantField tenantField, Permission first, Permission... more) {
    this.operation = operation;
    this.tenantField = tenantField;
    this.permissions = EnumSet.of(first, more);
  }

  /** The operation's name under the address prefix, e.g. {@code events.append}. */
  String operation() {
    return operation;
  }

  Set<Permission> permissions() {
    return permissions;
  }

  /**
   * Whether {@code body} asks for every tenant ({@code "allTenants": true}, exactly as the store reads it): then it
   * names no tenant, and needs the {@link Permission#OPERATOR} permission and a grant of every tenant instead.
   */
  boolean acrossTenants(Object body) {
    return tenantField == TenantField.EVERY || tenantField == TenantField.TENANT_OR_ALL
        && body instanceof JsonObject request && Boolean.TRUE.equals(request.getValue("allTenants"));
  }

  /**
   * The tenants {@code body} touches (each one, in order; none for an empty batch or a read across tenants).
   *
   * @throws BridgeRefusal 403 when the body does not say
   */
  List<String> tenants(Object body) {
    if (!(body instanceof JsonObject request)) {
      throw unknownTenant("the body is not a JSON object");
    }
    return switch (tenantField) {
      case PERSISTENCE_ID -> List.of(tenantOf(request, "persistenceId"));
      case TENANT -> List.of(tenant(request));
      case TENANT_OR_ALL -> acrossTenants(request) ? List.of() : List.of(tenant(request));
      case APPENDS -> batchTenants(request);
      case EVERY -> List.of();
    };
  }

  private static String tenant(JsonObject request) {
    if (request.getValue("tenant") instanceof String tenant && !tenant.isEmpty()) {
      return tenant;
    }
    throw unknownTenant("\"tenant\" is missing or not a non-empty string");
  }

  private static List<String> batchTenants(JsonObject request) {
    if (!(request.getValue("appends") instanceof JsonArray appends)) {
      throw unknownTenant("\"appends\" is missing or not an array");
    }
    List<String> tenants = new ArrayList<>(appends.size());
    for (int i = 0; i < appends.size(); i++) {
      if (!(appends.getValue(i) instanceof JsonObject append)) {
        throw unknownTenant("appends[" + i + "] is not an object");
      }
      tenants.add(tenantOf(append, "appends[" + i + "].persistenceId"));
    }
    return tenants;
  }

  /** Parsed exactly as the store parses it, so that both agree on the tenant: two segments mean "default". */
  private static String tenantOf(JsonObject request, String path) {
    if (!(request.getValue("persistenceId") instanceof String text)) {
      throw unknownTenant(path + " is missing or not a string");
    }
    try {
      return PersistenceId.parse(text).tenant();
    } catch (RuntimeException e) {
      throw unknownTenant(path + ": " + e.getMessage());
    }
  }

  private static BridgeRefusal unknownTenant(String why) {
    return BridgeRefusal.forbidden("cannot tell which tenant the request touches: " + why);
  }

  private enum TenantField { PERSISTENCE_ID, TENANT, TENANT_OR_ALL, APPENDS, EVERY }
}
