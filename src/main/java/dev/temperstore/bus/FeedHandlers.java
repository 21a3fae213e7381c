package dev.temperstore.bus;

import dev.temperstore.feed.Feed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** The feed's operations on the bus. */
public final class FeedHandlers {

  private final Feed feed;
  private final BusLimits limits;

  public FeedHandlers(Feed feed, BusLimits limits) {
    this.feed = feed;
    this.limits = limits;
  }

  public void register(Endpoints endpoints) {
    endpoints.serve(Addresses.EVENTS_READ_ALL, this::readAll);
  }

  private Uni<JsonObject> readAll(Fields request) {
    String tenant = request.tenant("tenant");
    var after = FeedJson.after(request);
    var filter = FeedJson.filter(request);
    int limit = request.intBetween("limit", 1, limits.maxReadLimit(), EventHandlers.DEFAULT_LIMIT);
    return feed.readAll(tenant, after, filter, limit).map(FeedJson::page);
  }
}
