package dev.temperstore.bus;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The consumers of one verticle instance: each decodes its request, runs the operation, and replies with JSON
 * or fails with the error's code and its JSON ({@link StoreException#toJson()}). Requests beyond
 * {@code maxInFlight} are refused at once with 503, so work never queues without bound.
 */
public final class Endpoints {

  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

  private final EventBus bus;
  private final Addresses addresses;
  private final int maxInFlight;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private int inFlight;

  public Endpoints(EventBus bus, Addresses addresses, int maxInFlight) {
    this.bus = bus;
    this.addresses = addresses;
    this.maxInFlight = maxInFlight;
  }

  /** Serves {@code operation}: {@code handler} turns a request body into a reply (or a failed Uni). */
  public Endpoints serve(String operation, Function<Fields, Uni<JsonObject>> handler) {
    String address = addresses.of(operation);
    consumers.add(bus.consumer(address, message -> handle(address, message, handler)));
    return this;
  }

  /** Completes when every consumer is registered (cluster-wide, on a clustered bus). */
  public Future<Void> ready() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  public Future<Void> close() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  public int inFlight() {
    return inFlight;
  }

  private void handle(String address, Message<Object> message, Function<Fields, Uni<JsonObject>> handler) {
    if (inFlight >= maxInFlight) {
      fail(message, new Unavailable("overloaded: " + inFlight + " requests in flight (temper.bus.max-in-flight)"));
      return;
    }
    Uni<JsonObject> work;
    try {
      work = handler.apply(Fields.body(message.body()));
    } catch (StoreException e) {
      fail(message, e);
      return;
    } catch (RuntimeException e) {
      // A decoder bug must not crash the consumer or hide the request's fault: say what broke.
      fail(message, new InvalidRequest("malformed request: " + e.getMessage()));
      return;
    }
    inFlight++;
    work.subscribe().with(
        reply -> {
          inFlight--;
          message.reply(reply);
        },
        failure -> {
          inFlight--;
          StoreException error = failure instanceof StoreException store ? store
              : new StorageFailure("unexpected failure at " + address + ": " + failure, failure);
          if (error.code() >= 500) {
            LOG.warn("{} failed: {}", address, error.getMessage());
          }
          fail(message, error);
        });
  }

  private static void fail(Message<Object> message, StoreException error) {
    message.fail(error.code(), error.toJson().encode());
  }
}
