package dev.temperstore.internal.subscriptions;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.NotFound;
import dev.temperstore.errors.OverBudget;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.MemberLease;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.feed.subscriptions.SubscriptionStatus;
import dev.temperstore.feed.subscriptions.Subscriptions;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Subscriptions on PostgreSQL: one call of a {@code temper_store_*subscription*} function per operation. */
public final class PgSubscriptionStore implements Subscriptions {

  private static final String CREATE = "SELECT outcome, address, entity_types, event_types, notices, from_tx,"
      + " from_id FROM temper_store_create_subscription2($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  private static final String LIST = "SELECT name, address, entity_types, event_types, notices, checkpoint_tx,"
      + " checkpoint_id, checkpointed_at, lag_events, lag_seconds FROM temper_store_list_subscriptions2($1, $2, $3)";
  private static final String RESET = "SELECT temper_store_reset_subscription($1, $2, $3, $4)";
  private static final String DELETE = "SELECT temper_store_delete_subscription($1, $2)";
  private static final String SAVE = "SELECT temper_store_save_checkpoint($1, $2, $3, $4, $5)";
  private static final String TO_DELIVER = "SELECT tenant, name, address, entity_types, event_types, notices,"
      + " checkpoint_tx, checkpoint_id, version FROM temper_store_subscriptions_to_deliver2($1)";
  private static final String LAG = "SELECT lag_events, lag_seconds"
      + " FROM temper_store_subscription_lag($1, $2, $3, $4, $5, $6)";
  private static final String JOIN = "SELECT outcome, expires_at, other_member"
      + " FROM temper_store_join_subscription($1, $2, $3, $4, $5, $6)";
  private static final String LEAVE = "SELECT temper_store_leave_subscription($1, $2, $3)";
  private static final String MEMBERS = "SELECT member, address, expires_at"
      + " FROM temper_store_subscription_members($1, $2, $3)";
  private static final String LIST_MEMBERS = "SELECT subscription, member, address, expires_at"
      + " FROM temper_store_list_subscription_members($1, $2)";

  private final Pool pool;
  private final int maxPerTenant;
  private final Duration memberLease;
  private final int maxMembers;

  public PgSubscriptionStore(Pool pool, SubscriptionSettings settings) {
    this.pool = pool;
    this.maxPerTenant = settings.maxPerTenant();
    this.memberLease = settings.memberLease();
    this.maxMembers = settings.maxMembers();
  }

  @Override
  public Uni<Boolean> createSubscription(Subscription subscription) {
    Tuple args = Tuple.of(subscription.tenant(), subscription.name(), subscription.address())
        .addArrayOfString(sorted(subscription.filter().entityTypes()))
        .addArrayOfString(sorted(subscription.filter().eventTypes()))
        .addBoolean(subscription.filter().notices())
        .addLong(subscription.from().tx()).addLong(subscription.from().id()).addInteger(maxPerTenant);
    return run("creation of subscription " + subscription.id(), CREATE, args).map(rows -> {
      Row row = rows.iterator().next();
      switch (row.getString("outcome")) {
        case "created":
          return true;
        case "full":
          throw new OverBudget("tenant " + subscription.tenant() + " already has " + maxPerTenant
              + " subscriptions, the most it may have (temper.subscriptions.max-per-tenant): delete one first");
        default:
          Subscription existing = new Subscription(subscription.tenant(), subscription.name(),
              row.getString("address"), filter(row), new FeedPosition(row.getLong("from_tx"), row.getLong("from_id")));
          if (!existing.sameDefinition(subscription)) {
            throw new ConcurrencyConflict(subscription.id(), -1, -1, "subscription " + subscription.id()
                + " exists with another definition (address: " + existing.address() + ", filter: "
                + describe(existing.filter()) + ", from: " + existing.from() + "): delete it first, or choose"
                + " another name");
          }
          return false;
      }
    });
  }

  @Override
  public Uni<List<SubscriptionStatus>> listSubscriptions(String tenant) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      Uni<RowSet<Row>> subscriptions = run("list of tenant " + tenant + "'s subscriptions", LIST,
          Tuple.of(tenant, MAX_LIST, LAG_COUNT_CAP));
      Uni<RowSet<Row>> members = run("list of tenant " + tenant + "'s subscription members", LIST_MEMBERS,
          Tuple.of(tenant, MAX_LIST * MAX_MEMBERS));
      return Uni.combine().all().unis(subscriptions, members).with((rows, memberRows) -> {
        Map<String, List<SubscriptionMember>> bySubscription = new HashMap<>();
        for (Row row : memberRows) {
          bySubscription.computeIfAbsent(row.getString("subscription"), name -> new ArrayList<>()).add(member(row));
        }
        List<SubscriptionStatus> statuses = new ArrayList<>(rows.size());
        for (Row row : rows) {
          OffsetDateTime at = row.getOffsetDateTime("checkpointed_at");
          statuses.add(new SubscriptionStatus(row.getString("name"), row.getString("address"), filter(row),
              new FeedPosition(row.getLong("checkpoint_tx"), row.getLong("checkpoint_id")),
              at == null ? Instant.EPOCH : at.toInstant(), row.getLong("lag_events"),
              row.getDouble("lag_seconds"), bySubscription.getOrDefault(row.getString("name"), List.of())));
        }
        return statuses;
      });
    });
  }

  @Override
  public Uni<Void> resetSubscription(String tenant, String name, FeedPosition position) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      Subscription.checkName(name);
      return run("reset of subscription " + tenant + ":" + name, RESET,
          Tuple.of(tenant, name, position.tx(), position.id()))
          .map(rows -> {
            if (!rows.iterator().next().getBoolean(0)) {
              throw new NotFound("no subscription " + tenant + ":" + name);
            }
            return null;
          });
    });
  }

  @Override
  public Uni<Boolean> deleteSubscription(String tenant, String name) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      Subscription.checkName(name);
      return run("deletion of subscription " + tenant + ":" + name, DELETE, Tuple.of(tenant, name))
          .map(rows -> rows.iterator().next().getBoolean(0));
    });
  }

  @Override
  public Uni<MemberLease> joinSubscription(String tenant, String name, String member, String address) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      Subscription.checkName(name);
      Subscription.checkMemberName(member);
      String id = tenant + ":" + name;
      Tuple args = Tuple.of(tenant, name, member, address, memberLease.toMillis(), maxMembers);
      return run("join of " + member + " to subscription " + id, JOIN, args).map(rows -> {
        Row row = rows.iterator().next();
        switch (row.getString("outcome")) {
          case "joined":
          case "renewed":
            return new MemberLease("joined".equals(row.getString("outcome")),
                row.getOffsetDateTime("expires_at").toInstant(), memberLease);
          case "missing":
            throw new NotFound("no subscription " + id);
          case "full":
            throw new OverBudget("subscription " + id + " already has " + maxMembers + " live members, the most it"
                + " may have (temper.subscriptions.max-members): " + member + " cannot join until one leaves");
          default:
            throw new ConcurrencyConflict(id, -1, -1, "member " + row.getString("other_member") + " of subscription "
                + id + " already delivers to " + address + ": give each member an address of its own");
        }
      });
    });
  }

  @Override
  public Uni<Boolean> leaveSubscription(String tenant, String name, String member) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      Subscription.checkName(name);
      Subscription.checkMemberName(member);
      return run("leave of " + member + " from subscription " + tenant + ":" + name, LEAVE,
          Tuple.of(tenant, name, member))
          .map(rows -> rows.iterator().next().getBoolean(0));
    });
  }

  /** The subscription's live members by name: what its deliverer shares the streams between. */
  public Uni<List<SubscriptionMember>> members(SubscriptionRow subscription) {
    return run("members of subscription " + subscription.id(), MEMBERS,
        Tuple.of(subscription.tenant(), subscription.name(), maxMembers)).map(rows -> {
          List<SubscriptionMember> members = new ArrayList<>(rows.size());
          rows.forEach(row -> members.add(member(row)));
          return members;
        });
  }

  /**
   * Saves a deliverer's checkpoint under the version it started from; false when the subscription was reset,
   * deleted or re-created meanwhile (or the stored checkpoint is already further).
   */
  public Uni<Boolean> saveCheckpoint(SubscriptionRow subscription, FeedPosition checkpoint) {
    return run("checkpoint of subscription " + subscription.id(), SAVE, Tuple.of(subscription.tenant(),
        subscription.name(), subscription.version(), checkpoint.tx(), checkpoint.id()))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** Every tenant's subscriptions, at most {@code limit}, ordered by tenant and name. */
  public Uni<List<SubscriptionRow>> toDeliver(int limit) {
    return run("discovery of subscriptions", TO_DELIVER, Tuple.of(limit)).map(rows -> {
      List<SubscriptionRow> found = new ArrayList<>(rows.size());
      for (Row row : rows) {
        found.add(new SubscriptionRow(row.getString("tenant"), row.getString("name"), row.getString("address"),
            filter(row), new FeedPosition(row.getLong("checkpoint_tx"), row.getLong("checkpoint_id")),
            row.getLong("version")));
      }
      return found;
    });
  }

  /** How far a reader of {@code subscription}'s feed at {@code position} is behind. */
  public Uni<Lag> lag(SubscriptionRow subscription, FeedPosition position) {
    Tuple args = Tuple.of(subscription.tenant(), position.tx(), position.id())
        .addArrayOfString(sorted(subscription.filter().entityTypes()))
        .addArrayOfString(sorted(subscription.filter().eventTypes()))
        .addInteger(LAG_COUNT_CAP);
    return run("lag of subscription " + subscription.id(), LAG, args).map(rows -> {
      Row row = rows.iterator().next();
      return new Lag(row.getLong("lag_events"), row.getDouble("lag_seconds"));
    });
  }

  private Uni<RowSet<Row>> run(String what, String sql, Tuple args) {
    return Reactive.uni(() -> pool.preparedQuery(sql).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException(what, e));
  }

  private static SubscriptionMember member(Row row) {
    return new SubscriptionMember(row.getString("member"), row.getString("address"),
        row.getOffsetDateTime("expires_at").toInstant());
  }

  private static FeedFilter filter(Row row) {
    return new FeedFilter(Set.of(row.getArrayOfStrings("entity_types")), Set.of(row.getArrayOfStrings("event_types")),
        row.getBoolean("notices"));
  }

  private static String[] sorted(Set<String> values) {
    String[] array = values.toArray(String[]::new);
    Arrays.sort(array);
    return array;
  }

  private static String describe(FeedFilter filter) {
    return "entityTypes " + filter.entityTypes().stream().sorted().toList() + ", eventTypes "
        + filter.eventTypes().stream().sorted().toList() + (filter.notices() ? ", notices" : "");
  }
}
