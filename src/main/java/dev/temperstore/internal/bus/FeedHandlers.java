package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.FeedJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.protocol.BusLimits;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.AllTenantsFeed;
import dev.temperstore.feed.Feed;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** The feed's operations on the bus: one tenant's feed, or, for an operator, every tenant's (audited). */
public final class FeedHandlers {

  private final Feed feed;
  private final AllTenantsFeed allTenants;
  private final BusLimits limits;

  /** {@code allTenants} serves {@code "allTenants": true}; {@link AllTenantsFeed#NOT_CONFIGURED} refuses it. */
  public FeedHandlers(Feed feed, AllTenantsFeed allTenants, BusLimits limits) {
    this.feed = feed;
    this.allTenants = allTenants;
    this.limits = limits;
  }

  public void register(Endpoints endpoints) {
    endpoints.serve(Addresses.EVENTS_READ_ALL, this::readAll);
  }

  private Uni<JsonObject> readAll(Fields request) {
    boolean everyTenant = acrossTenants(request);
    String tenant = everyTenant ? null : request.tenant("tenant");
    var after = FeedJson.after(request);
    var filter = FeedJson.filter(request);
    int limit = request.intBetween("limit", 1, limits.maxReadLimit(), EventHandlers.DEFAULT_LIMIT);
    if (everyTenant) {
      return AllTenantsAudit.audited(request, after, filter, limit, allTenants.readAllTenants(after, filter, limit))
          .map(FeedJson::pageAcrossTenants);
    }
    return feed.readAll(tenant, after, filter, limit).map(FeedJson::page);
  }

  /** {@code "allTenants": true} or a {@code tenant}: exactly one of the two. */
  private static boolean acrossTenants(Fields request) {
    boolean everyTenant = Boolean.TRUE.equals(request.flag("allTenants"));
    boolean named = request.optionalString("tenant", Tenants.MAX_LENGTH).isPresent();
    if (everyTenant && named) {
      throw new InvalidRequest("tenant and \"allTenants\": true exclude each other: name one tenant, or read every"
          + " tenant");
    }
    if (!everyTenant && !named) {
      throw new InvalidRequest("tenant is missing (or send \"allTenants\": true to read every tenant, as an"
          + " operator)");
    }
    return everyTenant;
  }
}
