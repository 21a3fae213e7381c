package dev.temperstore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting the store reads, by SmallRye Config under the prefix {@code temper}.
 *
 * <p>Sources, strongest first: system properties ({@code -Dtemper.database.url=…}), environment variables
 * ({@code TEMPER_DATABASE_URL}), the properties file ({@code conf/application.properties}), the defaults here.
 * {@code conf/application.properties} and the README's configuration table show each key with its default (the
 * service's ConfigurationDocsTest holds them to the code). The standalone service maps its own {@code temper.*}
 * sections on top of these; loaded alone, this mapping leaves other sections to it ({@link ConfigLoader}).
 */
@ConfigMapping(prefix = "temper")
public interface StoreConfig {

  Database database();

  Migration migration();

  Tenancy tenancy();

  Server server();

  Requests requests();

  Bus bus();

  Events events();

  Snapshots snapshots();

  Secrets secrets();

  Subjects subjects();

  Subscriptions subscriptions();

  Lifecycle lifecycle();

  interface Database {

    /**
     * {@code postgres://user:password@host:port/database}. Falls back to {@code DATABASE_URL}, as Temper did;
     * when neither is set, the fat jar starts an embedded PostgreSQL.
     */
    @WithDefault("${DATABASE_URL:}")
    Optional<String> url();

    /**
     * The role that migrates, when it differs from the one that serves: typically the tables' owner, while
     * {@link #url()} is a non-owner role with only DML grants (row-level security then applies to it).
     * Defaults to {@link #url()}.
     */
    Optional<String> migrationUrl();

    /**
     * A role that may read every tenant (BYPASSRLS, or the tables' owner while row-level security is not forced on
     * it), for {@code events.read-all} with {@code "allTenants": true}. Unset, such reads are refused with 403.
     */
    Optional<String> operatorUrl();

    /** How long opening a connection may take. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Connections of each verticle instance's pool. */
    @WithDefault("8")
    int poolSize();

    /**
     * How long any one store statement may run (PostgreSQL's statement_timeout on the serving connections). Unset,
     * it is {@link Requests#deadline()}; set, it must not exceed it, or a statement could outlive its request.
     */
    Optional<Duration> statementTimeout();
  }

  interface Requests {

    /**
     * The most time the store takes over one request, from its arrival through queueing (for a connection, for a
     * group commit) and its statement: when it passes, the request is answered 503 {@code deadline exceeded ...}
     * and an append still queued is dropped from the queue. Clients wait longer than this before giving up
     * ({@code StoreClient#timeoutAbove}), so that a store that is up always answers first.
     */
    @WithDefault("20s")
    Duration deadline();
  }

  interface Tenancy {

    /**
     * Also apply the tenant_isolation policies to the tables' owner ({@code FORCE ROW LEVEL SECURITY}), for
     * deployments whose serving role owns the tables. Applied by the migrating role, which must own them.
     */
    @WithDefault("false")
    boolean forceRowLevelSecurity();
  }

  interface Server {

    /** Store verticle instances; each has its own event loop, pool and in-flight bound. */
    @WithDefault("2")
    int instances();
  }

  interface Bus {

    /** Prefix of every store address, e.g. {@code temper.store.events.append}. */
    @WithDefault("temper.store")
    String prefix();

    /** Requests one verticle instance works on at once; more are refused at once with 503. */
    @WithDefault("1024")
    int maxInFlight();
  }

  interface Events {

    /** Events in one append, and streams or events in one appendBatch (413 beyond). */
    @WithDefault("1000")
    int maxEventsPerAppend();

    /** JSON size of one event's payload (413 beyond). */
    @WithDefault("262144")
    int maxEventBytes();

    /** Events or entity ids in one page. */
    @WithDefault("1000")
    int maxReadLimit();

    /** Group commit: appends written together in one statement and one commit. */
    @WithDefault("256")
    int maxAppendsPerBatch();

    /**
     * Group commit: append statements in flight at once per verticle instance, under light load (at most the pool
     * size; unset: {@code EventLimits.DEFAULT_CONCURRENT_BATCHES}, or the pool size if smaller). Under load one
     * batch at a time, the largest, which measured fastest
     * (docs/decisions/0026-statements-in-flight-under-light-load.md).
     */
    OptionalInt concurrentBatches();
  }

  interface Secrets {

    /**
     * Master keys by version: {@code temper.secrets.keys.2=<standard base64 of exactly 32 bytes>}
     * ({@code TEMPER_SECRETS_KEYS_2}). With none, the secret store is disabled (503) and the rest works.
     */
    Map<Integer, String> keys();

    /** The version new secrets are encrypted under; defaults to the highest configured. */
    OptionalInt primary();

    /**
     * Temper's own key, for the rows Temper wrote (key version 0, no associated data): readable through it,
     * upgraded by rotation. Falls back to {@code TEMPER_VAULT_KEY}, as Temper read it.
     */
    @WithDefault("${TEMPER_VAULT_KEY:}")
    Optional<String> legacyKey();

    /** Development only: with no key configured, use a random throw-away key (secrets die with the process). */
    @WithDefault("false")
    boolean developmentKey();

    /** Secrets per tenant: a new one beyond is refused with 429; replacing one is always allowed. */
    @WithDefault("100")
    int maxPerTenant();

    /** Bytes of one secret value (413 beyond). */
    @WithDefault("8192")
    int maxValueBytes();

    /** Secrets re-encrypted per statement during rotation. */
    @WithDefault("500")
    int rotationBatchSize();
  }

  /** Durable subscriptions: delivery of a tenant's feed to event-bus consumers (docs/protocol.md#subscriptions). */
  interface Subscriptions {

    /** Run deliverers in this store; the subscriptions.* addresses are served either way. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Events of one subscription, or of each member of its consumer group, awaiting their acknowledgement at most
     * (one batch of at most 256 events and about 4 MiB is in flight to each).
     */
    @WithDefault("256")
    int credit();

    /** How long a delivery waits for its acknowledgement; unanswered, it is delivered again. */
    @WithDefault("30s")
    Duration deliveryTimeout();

    /** The pause after a failed or unanswered delivery, or a failed read, before trying again. */
    @WithDefault("1s")
    Duration retryDelay();

    /** Acknowledged events after which the checkpoint is saved at once. */
    @WithDefault("100")
    int checkpointEvery();

    /** How soon, at most, an acknowledgement reaches the saved checkpoint. */
    @WithDefault("200ms")
    Duration checkpointInterval();

    /** How often a caught-up deliverer reads anyway, should a notification be lost. */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * How often, at most, a caught-up deliverer reads, however many wake-ups come: fewer, larger reads cost the
     * appends less; the delay they add to delivery is up to this (docs/decisions/0022-tail-read-gap-20-ms.md).
     */
    @WithDefault("20ms")
    Duration tailReadGap();

    /**
     * How often a store looks for new, reset, deleted and unclaimed subscriptions (and refreshes the lag gauges):
     * a dead deliverer's subscription is taken over within this, once PostgreSQL has seen its connection close.
     */
    @WithDefault("5s")
    Duration claimInterval();

    /** Subscriptions one tenant may have (429 beyond), at most 1000. */
    @WithDefault("1000")
    int maxPerTenant();

    /**
     * How long a consumer group member stays live after it joins or renews (at least 1s): a member that stops
     * renewing loses its streams to the others this long after its last renewal, at the latest.
     */
    @WithDefault("10s")
    Duration memberLease();

    /** Live members one subscription may have (429 beyond), at most 100. */
    @WithDefault("100")
    int maxMembers();
  }

  interface Lifecycle {

    /** How long the sweeper rests after a round that found less than a batch to remove; 0 turns it off here. */
    @WithDefault("1s")
    Duration sweepInterval();

    /** Rows one sweeper round removes at most, in one short transaction. */
    @WithDefault("1000")
    int sweepBatch();
  }

  interface Subjects {

    /** Data keys of subjects held in memory at most, least recently used dropped first. */
    @WithDefault("10000")
    int keyCacheSize();

    /** How long a data key is held after it was read: the bound on reads after a forget on another instance. */
    @WithDefault("60s")
    Duration keyCacheMaxAge();
  }

  interface Snapshots {

    /** Size of one snapshot's state (413 beyond). */
    @WithDefault("4194304")
    int maxStateBytes();
  }

  interface Migration {

    /** How long a start waits for another replica that is migrating the same database. */
    @WithDefault("60s")
    Duration lockTimeout();

    /** How long any one migration statement may run. */
    @WithDefault("5m")
    Duration statementTimeout();
  }
}
