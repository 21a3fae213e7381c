package dev.temperstore.service.bridge;

/**
 * Whether a token's grant covers a request: every permission its operation needs, and every tenant it touches; a
 * read across tenants touches them all, so it needs the operator permission and a grant of every tenant.
 */
final class Confinement {

  private static final int SHOWN_LENGTH = 80;

  private Confinement() {
  }

  /** @throws BridgeRefusal 403 naming the first permission or tenant the grant lacks */
  static void check(BridgeOperation operation, String address, Object body, Grant grant) {
    for (Permission permission : operation.permissions()) {
      if (!grant.has(permission)) {
        throw BridgeRefusal.forbidden("token lacks the \"" + permission.claim() + "\" permission for " + address);
      }
    }
    if (operation.acrossTenants(body)) {
      if (!grant.has(Permission.OPERATOR)) {
        throw BridgeRefusal.forbidden("token lacks the \"operator\" permission for " + address
            + " across all tenants");
      }
      if (!grant.allTenants()) {
        throw BridgeRefusal.forbidden("token does not grant every tenant (\"tenants\": \"*\"), which "
            + address + " across all tenants touches");
      }
    }
    for (String tenant : operation.tenants(body)) {
      if (!grant.grants(tenant)) {
        throw BridgeRefusal.forbidden("token does not grant tenant \"" + shown(tenant) + "\"");
      }
    }
  }

  /** A client's value in a message: at most 80 characters of it. */
  static String shown(String value) {
    return value.length() <= SHOWN_LENGTH ? value : value.substring(0, SHOWN_LENGTH) + "…";
  }
}
