package dev.temperstore.internal.client;

import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.AppendResult;
import dev.temperstore.events.EventPage;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;

import java.util.List;

/**
 * The operations a store instance also serves as {@link DirectCall}s, each with the types of its request and reply:
 * those an application calls most often, where the bus's JSON and messages cost as much as a statement
 * (docs/decisions/0032-direct-calls-on-the-instances-own-loop.md). Every other operation, and every caller off the
 * instance's loop, goes over the bus.
 *
 * @param operation the operation's name within the store's addresses ({@link Addresses})
 */
public record DirectOperation<Q, R>(String operation) {

  public static final DirectOperation<AppendRequest, Long> APPEND = new DirectOperation<>(Addresses.EVENTS_APPEND);
  public static final DirectOperation<List<AppendRequest>, List<AppendResult>> APPEND_BATCH =
      new DirectOperation<>(Addresses.EVENTS_APPEND_BATCH);
  public static final DirectOperation<StreamRead, EventPage> READ = new DirectOperation<>(Addresses.EVENTS_READ);

  /** A read of one stream's page, as {@code EventStore.read} takes it. */
  public record StreamRead(PersistenceId persistenceId, long fromSequence, int limit) {
  }
}
