package dev.temperstore.protocol;

/**
 * The store's event-bus addresses: one per operation, under a prefix (default {@code temper.store}), so that
 * bridge allow-lists and per-operation metrics are simple. {@code docs/protocol.md} documents each one.
 */
public record Addresses(String prefix) {

  public static final String DEFAULT_PREFIX = "temper.store";

  public static final String EVENTS_APPEND = "events.append";
  public static final String EVENTS_APPEND_BATCH = "events.append-batch";
  public static final String EVENTS_READ = "events.read";
  public static final String EVENTS_LIST_ENTITIES = "events.list-entities";
  public static final String EVENTS_READ_ALL = "events.read-all";
  public static final String STREAMS_TRUNCATE = "streams.truncate";
  public static final String STREAMS_DELETE = "streams.delete";
  public static final String STREAMS_TOMBSTONE = "streams.tombstone";
  public static final String RETENTION_SET = "retention.set";
  public static final String RETENTION_CLEAR = "retention.clear";
  public static final String RETENTION_LIST = "retention.list";
  public static final String TENANTS_PURGE = "tenants.purge";
  public static final String SNAPSHOTS_SAVE = "snapshots.save";
  public static final String SNAPSHOTS_LOAD = "snapshots.load";
  public static final String SECRETS_PUT = "secrets.put";
  public static final String SECRETS_GET = "secrets.get";
  public static final String SECRETS_DELETE = "secrets.delete";
  public static final String SECRETS_LIST = "secrets.list";
  public static final String SECRETS_ROTATE = "secrets.rotate";
  public static final String SUBJECTS_FORGET = "subjects.forget";
  public static final String SUBJECTS_EXPORT = "subjects.export";
  public static final String SUBJECTS_CHECK = "subjects.check";
  public static final String SUBSCRIPTIONS_CREATE = "subscriptions.create";
  public static final String SUBSCRIPTIONS_LIST = "subscriptions.list";
  public static final String SUBSCRIPTIONS_RESET = "subscriptions.reset";
  public static final String SUBSCRIPTIONS_DELETE = "subscriptions.delete";
  public static final String SUBSCRIPTIONS_JOIN = "subscriptions.join";
  public static final String SUBSCRIPTIONS_LEAVE = "subscriptions.leave";
  /**
   * Not an operation: published locally (never to the cluster) after a subscription or its members changed here,
   * so that this process's deliverers act on it at once rather than at their next claim round.
   */
  public static final String SUBSCRIPTIONS_CHANGED = "subscriptions.changed";
  /**
   * Local only: events of the tenants named in the body (a JSON array; no body: any tenant) were committed through
   * a store of this process, so that its deliverers of those tenants read the feed at once, without a PostgreSQL
   * notification (see {@code LocalWakeups}).
   */
  public static final String FEED_APPENDED = "feed.appended";
  /**
   * Local only: a subject was forgotten through a store of this process (the body names tenant, subject and since),
   * so that every store of the process drops its key and redacts what its deliverers hold, before a PostgreSQL
   * notification could say so.
   */
  public static final String SUBJECTS_FORGOTTEN = "subjects.forgotten";

  public static Addresses defaults() {
    return new Addresses(DEFAULT_PREFIX);
  }

  /** The full address of {@code operation}, e.g. {@code temper.store.events.append}. */
  public String of(String operation) {
    return prefix + "." + operation;
  }
}
