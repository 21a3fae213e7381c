package dev.temperstore.config;

import dev.temperstore.feed.subscriptions.SubscriptionSettings;

/** The {@code temper.subscriptions.*} keys as the settings the store runs with. */
public final class SubscriptionKeys {

  private SubscriptionKeys() {
  }

  /** IllegalArgumentException naming the key of a bad value. */
  public static SubscriptionSettings settings(StoreConfig.Subscriptions config) {
    return new SubscriptionSettings(config.enabled(), config.credit(), config.deliveryTimeout(), config.retryDelay(),
        config.checkpointEvery(), config.checkpointInterval(), config.pollInterval(), config.tailReadGap(),
        config.claimInterval(), config.maxPerTenant(), config.memberLease(), config.maxMembers());
  }
}
