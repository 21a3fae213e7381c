package dev.temperstore;

import dev.temperstore.protocol.Addresses;
import dev.temperstore.protocol.BusLimits;
import dev.temperstore.config.SecretKeys;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.config.SubscriptionKeys;
import dev.temperstore.events.EventLimits;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.lifecycle.SweepSettings;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.subjects.SubjectSettings;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one {@link StoreVerticle} needs, resolved from {@link StoreConfig}.
 *
 * @param migration        the role that brings the schema up to date (typically the tables' owner)
 * @param serving          the role that serves requests (may be a non-owner role with only DML grants)
 * @param poolSize         connections of this instance's pool
 * @param statementTimeout bound on each store statement; at most {@code requestDeadline}
 * @param requestDeadline  the most time the store takes over one request, queueing and statement included
 * @param subscriptions    how subscriptions are delivered
 * @param operator         a role that may read every tenant, for all-tenant feed reads; empty refuses them (403)
 * @param sweep            how this instance's sweeper removes rows no longer served
 * @param subjects         how this instance caches the data keys of personal data
 */
public record StoreSettings(DatabaseTarget migration, DatabaseTarget serving, MigrationSettings migrationSettings,
                            int poolSize, Duration statementTimeout, Duration requestDeadline, Addresses addresses,
                            BusLimits busLimits, EventLimits eventLimits, SecretSettings secrets,
                            SubscriptionSettings subscriptions, Optional<DatabaseTarget> operator,
                            SweepSettings sweep, SubjectSettings subjects) {

  public static final Duration DEFAULT_REQUEST_DEADLINE = EventLimits.DEFAULT_DEADLINE;
  /** The deadline: a statement may use all of a request's time, never more. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = DEFAULT_REQUEST_DEADLINE;
  public static final int DEFAULT_POOL_SIZE = 8;

  public StoreSettings {
    Objects.requireNonNull(migration, "migration");
    Objects.requireNonNull(serving, "serving");
    Objects.requireNonNull(subscriptions, "subscriptions");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(sweep, "sweep");
    Objects.requireNonNull(subjects, "subjects");
    if (statementTimeout.compareTo(requestDeadline) > 0) {
      throw new IllegalArgumentException("statement timeout " + statementTimeout.toMillis()
          + " ms exceeds the request deadline " + requestDeadline.toMillis() + " ms");
    }
  }

  /** Defaults throughout, one role migrating and serving {@code database}. */
  public static StoreSettings defaults(DatabaseTarget database) {
    return new StoreSettings(database, database, MigrationSettings.defaults(), DEFAULT_POOL_SIZE,
        DEFAULT_STATEMENT_TIMEOUT, DEFAULT_REQUEST_DEADLINE, Addresses.defaults(), BusLimits.defaults(),
        EventLimits.defaults(), SecretSettings.disabled(), SubscriptionSettings.defaults(), Optional.empty(),
        SweepSettings.defaults(), SubjectSettings.defaults());
  }

  /** {@code config}'s settings, against the given roles. */
  public static StoreSettings of(StoreConfig config, DatabaseTarget migration, DatabaseTarget serving) {
    StoreConfig.Events events = config.events();
    Duration deadline = config.requests().deadline();
    BusLimits busLimits = new BusLimits(config.bus().maxInFlight(), events.maxEventsPerAppend(),
        events.maxReadLimit(), config.snapshots().maxStateBytes());
    int concurrentBatches = events.concurrentBatches()
        .orElse(Math.min(EventLimits.DEFAULT_CONCURRENT_BATCHES, config.database().poolSize()));
    EventLimits eventLimits = new EventLimits(events.maxEventsPerAppend(), events.maxEventBytes(), events.maxReadLimit(),
        concurrentBatches, events.maxAppendsPerBatch(), config.bus().maxInFlight(), deadline);
    return new StoreSettings(migration, serving, MigrationSettings.of(config), config.database().poolSize(),
        config.database().statementTimeout().orElse(deadline), deadline, new Addresses(config.bus().prefix()),
        busLimits, eventLimits, SecretKeys.settings(config.secrets()), subscriptionsOf(config.subscriptions()),
        config.database().operatorUrl().map(url -> DatabaseTarget.fromUrl(url, config.database().connectTimeout())),
        new SweepSettings(config.lifecycle().sweepInterval(), config.lifecycle().sweepBatch()),
        new SubjectSettings(config.subjects().keyCacheSize(), config.subjects().keyCacheMaxAge()));
  }

  /** Requests served as {@code role} (a non-owner role with only the grants it needs), migrations still as before. */
  public StoreSettings withServing(DatabaseTarget role) {
    return new StoreSettings(migration, role, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, subscriptions, operator, sweep, subjects);
  }

  public StoreSettings withPoolSize(int connections) {
    return new StoreSettings(migration, serving, migrationSettings, connections, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, subscriptions, operator, sweep, subjects);
  }

  public StoreSettings withBusLimits(BusLimits limits) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, limits, eventLimits, secrets, subscriptions, operator, sweep, subjects);
  }

  public StoreSettings withSecrets(SecretSettings settings) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, settings, subscriptions, operator, sweep, subjects);
  }

  /** {@code deadline} for every request, and as the statement timeout when that would exceed it. */
  public StoreSettings withRequestDeadline(Duration deadline) {
    Duration statements = statementTimeout.compareTo(deadline) > 0 ? deadline : statementTimeout;
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statements, deadline, addresses,
        busLimits, eventLimits.withDeadline(deadline), secrets, subscriptions, operator, sweep, subjects);
  }

  public StoreSettings withSubscriptions(SubscriptionSettings settings) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, settings, operator, sweep, subjects);
  }

  /** All-tenant feed reads served as {@code role}: one that may read every tenant (docs/feed.md). */
  public StoreSettings withOperator(DatabaseTarget role) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, subscriptions, Optional.of(role), sweep, subjects);
  }

  public StoreSettings withSweep(SweepSettings settings) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, subscriptions, operator, settings, subjects);
  }
  /** Served under another address prefix, e.g. beside another store on the same bus. */
  public StoreSettings withAddresses(Addresses prefix) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        prefix, busLimits, eventLimits, secrets, subscriptions, operator, sweep, subjects);
  }

  public StoreSettings withSubjects(SubjectSettings settings) {
    return new StoreSettings(migration, serving, migrationSettings, poolSize, statementTimeout, requestDeadline,
        addresses, busLimits, eventLimits, secrets, subscriptions, operator, sweep, settings);
  }


  /** The {@code temper.subscriptions.*} settings; IllegalArgumentException naming the key of a bad value. */
  public static SubscriptionSettings subscriptionsOf(StoreConfig.Subscriptions config) {
    return SubscriptionKeys.settings(config);
  }
}
