package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.internal.subscriptions.SubscriptionRow;

/**
 * Where a deliverer sends batches: a consumer group member's address, or, while the subscription has no live
 * member, the subscription's own address ({@code member} empty, a name no member can have). A member that joins
 * again with another address is another target: its batch to the old address is still answered as that target's.
 */
record Target(String member, String address) {

  static Target own(SubscriptionRow subscription) {
    return new Target("", subscription.address());
  }

  static Target of(SubscriptionMember member) {
    return new Target(member.name(), member.address());
  }

  boolean isMember() {
    return !member.isEmpty();
  }

  @Override
  public String toString() {
    return isMember() ? member + " (" + address + ")" : address;
  }
}
