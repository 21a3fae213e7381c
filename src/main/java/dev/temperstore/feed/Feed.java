package dev.temperstore.feed;

import io.smallrye.mutiny.Uni;

/**
 * A tenant's events in one global order, for projections, read models and integrations: read page after page
 * from a position, and none committed later ever appears before a position already read.
 */
public interface Feed {

  /**
   * Up to {@code limit} of the tenant's events after {@code after} that {@code filter} admits, in the global order.
   * Events still being committed are not in a page yet; they come in a later one, after everything already read.
   */
  Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit);

  /**
   * As {@link #readAll(String, FeedPosition, FeedFilter, int)}, for a reader that knows whether it is at the feed's
   * end ({@code atEnd}: its last page was not full, so a few events at most are expected). A store may read a page
   * at the end the way that costs least for a few rows, and one behind it the way that is fastest for many.
   */
  default Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit, boolean atEnd) {
    return readAll(tenant, after, filter, limit);
  }
}
