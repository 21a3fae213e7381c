package dev.temperstore.service.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a verified token allows, read from its claims: {@code tenants} ({@code "*"} for every tenant, or an array
 * of tenant names), {@code permissions} (an array of {@code read}, {@code write}, {@code secrets},
 * {@code subscribe}) or, failing that, an OAuth-style {@code scope} string of the same words separated by spaces,
 * and {@code exp}.
 *
 * @param tenants         the tenants granted; ignored when {@code allTenants}
 * @param expiresAtMillis when the token expires; {@link Long#MAX_VALUE} for a token without {@code exp}
 * @param subject         the token's {@code sub}, if it has one: who the client is, for the audit of its reads
 * @param jti             the token's {@code jti}, if it has one: what revokes this one token
 * @param issuedAtMillis  its {@code iat}; {@link Long#MIN_VALUE} without one (a subject's revocation covers it)
 */
record Grant(boolean allTenants, Set<String> tenants, Set<Permission> permissions, long expiresAtMillis,
             Optional<String> subject, Optional<String> jti, long issuedAtMillis) {

  static final String ALL_TENANTS = "*";
  /** The longest {@code jti} and {@code sub} accepted: ids, not documents (issue-token's are 36 characters). */
  static final int MAX_ID_LENGTH = 256;

  Grant {
    tenants = Set.copyOf(tenants);
    permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
  }

  /** @throws BridgeRefusal 401 when the token cannot be a bridge token: no usable {@code tenants} claim */
  static Grant fromClaims(JsonObject claims) {
    Object tenantClaim = claims.getValue("tenants");
    boolean all = ALL_TENANTS.equals(tenantClaim);
    Set<String> tenants = new HashSet<>();
    if (!all) {
      if (!(tenantClaim instanceof JsonArray names)) {
        throw BridgeRefusal.unauthenticated("claims", "the token has no \"tenants\" claim (\"*\" or an array of tenant names)");
      }
      for (Object name : names) {
        if (!(name instanceof String tenant) || tenant.isEmpty()) {
          throw BridgeRefusal.unauthenticated("claims", "the token's \"tenants\" claim must hold only tenant names");
        }
        tenants.add(tenant);
      }
    }
    Object exp = claims.getValue("exp");
    long expiresAt = exp instanceof Number seconds ? seconds.longValue() * 1000 : Long.MAX_VALUE;
    Optional<String> subject = id(claims, "sub");
    Optional<String> jti = id(claims, "jti");
    long issuedAt = claims.getValue("iat") instanceof Number seconds ? seconds.longValue() * 1000 : Long.MIN_VALUE;
    return new Grant(all, tenants, permissions(claims), expiresAt, subject, jti, issuedAt);
  }

  /** An id claim: absent, or a string of 1 to {@link #MAX_ID_LENGTH} characters (anything else is a 401). */
  private static Optional<String> id(JsonObject claims, String claim) {
    Object value = claims.getValue(claim);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String id) || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw BridgeRefusal.unauthenticated("claims", "the token's " + claim + " claim must be a string of 1 to "
          + MAX_ID_LENGTH + " characters");
    }
    return Optional.of(id);
  }

  boolean grants(String tenant) {
    return allTenants || tenants.contains(tenant);
  }

  boolean has(Permission permission) {
    return permissions.contains(permission);
  }

  boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  private static Set<Permission> permissions(JsonObject claims) {
    Set<Permission> granted = EnumSet.noneOf(Permission.class);
    Object listed = claims.getValue("permissions");
    if (listed instanceof JsonArray values) {
      values.forEach(value -> {
        if (value instanceof String text) {
          Permission.fromClaim(text).ifPresent(granted::add);
        }
      });
    } else if (claims.getValue("scope") instanceof String scope) {
      for (String word : scope.trim().split("\\s+")) {
        Permission.fromClaim(word).ifPresent(granted::add);
      }
    }
    return granted;
  }
}
