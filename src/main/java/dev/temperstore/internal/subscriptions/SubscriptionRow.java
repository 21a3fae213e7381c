package dev.temperstore.internal.subscriptions;

import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;

/**
 * A subscription as its deliverer starts from: the stored checkpoint and the version it is stored under (the
 * transaction that created or last reset it), which changes whenever the subscription is reset or re-created.
 */
public record SubscriptionRow(String tenant, String name, String address, FeedFilter filter, FeedPosition checkpoint,
                              long version) {

  public String id() {
    return tenant + ":" + name;
  }
}
