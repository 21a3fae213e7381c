package dev.temperstore.tenancy;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;

/**
 * Rules for tenant ids, as Temper's {@code TenantId}: non-empty, no ':'; and here also stored exactly as given
 * ({@link Text}: a lone surrogate would be stored as '?', merging two tenants into one) and bounded in UTF-8
 * bytes, since the tenant is part of every unique index.
 */
public final class Tenants {

  /** In UTF-8 bytes. */
  public static final int MAX_LENGTH = 256;

  private Tenants() {
  }

  /** @throws InvalidRequest naming the rule the tenant breaks */
  public static String validate(String tenant) {
    if (tenant == null || tenant.isEmpty()) {
      throw new InvalidRequest("tenant must not be empty");
    }
    if (tenant.length() > MAX_LENGTH) { // more chars than bytes allowed: too long, without counting bytes
      throw new InvalidRequest("tenant is longer than " + MAX_LENGTH + " UTF-8 bytes");
    }
    Text.check("tenant", tenant);
    if (Text.utf8Length(tenant) > MAX_LENGTH) {
      throw new InvalidRequest("tenant is longer than " + MAX_LENGTH + " UTF-8 bytes");
    }
    if (tenant.indexOf(':') >= 0) {
      throw new InvalidRequest("invalid tenant \"" + Text.shown(tenant) + "\": it must not contain ':'");
    }
    return tenant;
  }
}
