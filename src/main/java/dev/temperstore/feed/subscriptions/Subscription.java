package dev.temperstore.feed.subscriptions;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.input.Text;
import dev.temperstore.tenancy.Tenants;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A durable subscription's definition: the tenant's feed events that {@code filter} admits, after {@code from},
 * delivered as event-bus requests to {@code address}. Its name is unique within the tenant.
 */
public record Subscription(String tenant, String name, String address, FeedFilter filter, FeedPosition from) {

  /** Letters, digits, '.', '_' and '-': a name that reads well in logs, metrics tags and addresses. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final int MAX_ADDRESS_LENGTH = 256;

  public Subscription {
    Tenants.validate(tenant);
    checkName(name);
    Objects.requireNonNull(address, "address");
    if (address.isEmpty() || address.length() > MAX_ADDRESS_LENGTH) {
      throw new InvalidRequest("a subscription's address is 1 to " + MAX_ADDRESS_LENGTH + " characters, got "
          + address.length());
    }
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(from, "from");
  }

  /** @throws InvalidRequest unless {@code name} matches {@link #NAME} */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequest("a subscription name is 1 to 128 letters, digits, '.', '_' or '-', starting with a"
          + " letter or digit, got \"" + (name == null ? "" : Text.shown(name)) + "\"");
    }
    return name;
  }

  /** @throws InvalidRequest unless {@code member}, a consumer group member's name, matches {@link #NAME} */
  public static String checkMemberName(String member) {
    if (member == null || !NAME.matcher(member).matches()) {
      throw new InvalidRequest("a member name is 1 to 128 letters, digits, '.', '_' or '-', starting with a"
          + " letter or digit, got \"" + (member == null ? "" : Text.shown(member)) + "\"");
    }
    return member;
  }

  /** Whether {@code other} defines the same subscription: creating it again changes nothing. */
  public boolean sameDefinition(Subscription other) {
    return equals(other);
  }

  /** {@code tenant:name}, as messages and logs name it. */
  public String id() {
    return tenant + ":" + name;
  }
}
