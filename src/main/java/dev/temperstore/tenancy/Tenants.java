package dev.temperstore.tenancy;

import dev.temperstore.errors.InvalidRequest;

/** Rules for tenant ids, as Temper's {@code TenantId}: non-empty, no ':'; and bounded here. */
public final class Tenants {

  public static final int MAX_LENGTH = 256;

  private Tenants() {
  }

  /** @throws InvalidRequest naming the rule the tenant breaks */
  public static String validate(String tenant) {
    if (tenant == null || tenant.isEmpty()) {
      throw new InvalidRequest("tenant must not be empty");
    }
    if (tenant.length() > MAX_LENGTH) {
      throw new InvalidRequest("tenant is longer than " + MAX_LENGTH + " characters");
    }
    if (tenant.indexOf(':') >= 0) {
      throw new InvalidRequest("invalid tenant \"" + shown(tenant) + "\": it must not contain ':'");
    }
    return tenant;
  }

  /** A value as it may appear in a message: cut short, so a huge input does not make a huge error. */
  static String shown(String value) {
    return value.length() <= 80 ? value : value.substring(0, 80) + "…";
  }
}
