package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.Fields;

import dev.temperstore.errors.StoreException;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.input.Text;
import io.smallrye.mutiny.Uni;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The audit trail of reads across tenants: one INFO line per request on the logger {@value #LOGGER}, whatever its
 * outcome (served, refused, failed, or abandoned at the deadline), naming the caller, the position, the filter and
 * how many events of how many tenants were handed out. Never an event's content.
 */
final class AllTenantsAudit {

  static final String LOGGER = "dev.temperstore.audit";
  static final String UNNAMED = "an unnamed event-bus sender";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private AllTenantsAudit() {
  }

  /** {@code read}, logged once when it ends. */
  static Uni<FeedPage> audited(Fields request, FeedPosition after, FeedFilter filter, int limit, Uni<FeedPage> read) {
    String caller = request.caller().orElse(UNNAMED);
    String asked = "after " + after + ", limit " + limit + filter(filter);
    return read.onTermination().invoke((page, failure, cancelled) -> {
      if (page != null) {
        long tenants = page.events().stream().map(event -> event.persistenceId().tenant()).distinct().count();
        LOG.info("all-tenant feed read by {} ({}): {} events of {} tenant{}, next {}", caller, asked,
            page.events().size(), tenants, tenants == 1 ? "" : "s", page.next());
      } else if (failure != null) {
        String code = failure instanceof StoreException store ? Integer.toString(store.code()) : "500";
        LOG.info("all-tenant feed read by {} ({}): not served, {} {}", caller, asked, code, failure.getMessage());
      } else {
        LOG.info("all-tenant feed read by {} ({}): abandoned at the request deadline", caller, asked);
      }
    });
  }

  private static String filter(FeedFilter filter) {
    return types(", entity types ", filter.entityTypes()) + types(", event types ", filter.eventTypes());
  }

  private static String types(String label, Set<String> types) {
    return types.isEmpty() ? "" : label + Text.shown(String.join(",", types.stream().sorted().toList()));
  }
}
