package dev.temperstore.internal.client;

import dev.temperstore.client.EventBusTransport;
import dev.temperstore.internal.bus.Endpoints;
import dev.temperstore.protocol.Addresses;

import dev.temperstore.events.EventPage;
import dev.temperstore.tenancy.PersistenceId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SameLoopRouting}: a client on a store instance's event loop is served by that instance, on its own thread; a
 * client on another event loop by the one instance its loop adopted; any other caller, by whichever instance the bus
 * picks. On an instance's own loop, a direct call: served on the instance's context, answered on the caller's.
 */
class SameLoopRoutingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Event loops enough for two instances and callers on loops of their own. */
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(6));
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final AtomicInteger started = new AtomicInteger();
  /** Instance number to the context its direct read was served on. */
  private final Map<Long, Context> servedOn = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void a_request_from_an_instances_event_loop_is_served_by_that_instance_on_the_same_thread() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);

    for (Instance instance : instances) {
      for (int i = 0; i < 10; i++) {
        JsonObject reply = requestFrom(instance.context, transport);
        assertThat(reply.getString("instance")).isEqualTo(instance.name);
        assertThat(reply.getString("servedOn")).isEqualTo(reply.getString("sentFrom"));
      }
    }
  }

  @Test
  void a_request_from_any_other_thread_goes_to_whichever_instance_the_bus_picks() {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);

    Set<String> servedBy = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      servedBy.add(transport.request(Addresses.defaults().of(Addresses.EVENTS_READ), new JsonObject())
          .await().atMost(WAIT).getString("instance"));
    }

    assertThat(servedBy).as("both instances, as before").hasSize(2);
  }

  @Test
  void a_request_from_an_event_loop_without_an_instance_is_served_by_the_same_instance_every_time() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    Context caller = callerContexts(1).get(0);

    Set<String> servedBy = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      servedBy.add(requestFrom(caller, transport).getString("instance"));
    }

    assertThat(servedBy).hasSize(1);
  }

  @Test
  void event_loops_without_an_instance_adopt_different_instances() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    List<Context> callers = callerContexts(2);

    String first = requestFrom(callers.get(0), transport).getString("instance");
    String second = requestFrom(callers.get(1), transport).getString("instance");

    assertThat(first).isNotEqualTo(second);
    assertThat(requestFrom(callers.get(0), transport).getString("instance")).isEqualTo(first);
    assertThat(requestFrom(callers.get(1), transport).getString("instance")).isEqualTo(second);
  }

  @Test
  void a_caller_on_an_instances_own_loop_counts_so_a_loop_without_one_adopts_the_other_instance() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    // The bench's case: one calling loop runs an instance, the other none. Both instances adopted by nobody yet, the
    // second must not pick the first's (all callers would then share one batcher).
    for (Instance own : instances) {
      vertx.sharedData().getLocalMap(SameLoopRouting.ADOPTIONS).clear();
      assertThat(requestFrom(own.context, transport).getString("instance")).isEqualTo(own.name);
      Context elsewhere = callerContexts(1).get(0);
      assertThat(requestFrom(elsewhere, transport).getString("instance")).isNotEqualTo(own.name);
    }
  }

  @Test
  void once_the_adopted_instance_closes_its_callers_go_to_the_other_instance() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    Context caller = callerContexts(1).get(0);
    String adopted = requestFrom(caller, transport).getString("instance");
    Instance closing = instances.stream().filter(instance -> instance.name.equals(adopted)).findFirst().orElseThrow();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    closing.context.runOnContext(ignored -> closing.endpoints.close(vertx, WAIT)
        .onComplete(done -> closed.complete(null)));
    closed.get();

    for (int i = 0; i < 5; i++) {
      assertThat(requestFrom(caller, transport).getString("instance")).isNotEqualTo(adopted);
    }
  }

  @Test
  void once_an_instance_closes_its_event_loops_requests_go_to_the_other_instance() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    Instance closing = instances.get(0);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    closing.context.runOnContext(ignored -> closing.endpoints.close(vertx, WAIT)
        .onComplete(done -> closed.complete(null)));
    closed.get();

    for (int i = 0; i < 5; i++) {
      assertThat(requestFrom(closing.context, transport).getString("instance")).isEqualTo(instances.get(1).name);
    }
  }

  @Test
  void an_address_announced_without_a_consumer_behind_it_falls_back_to_the_shared_address() throws Exception {
    deployTwoInstances();
    EventBusTransport transport = new EventBusTransport(vertx, WAIT);
    Instance stale = instances.get(0);
    String address = Addresses.defaults().of(Addresses.EVENTS_READ);
    CompletableFuture<Void> replaced = new CompletableFuture<>();
    stale.context.runOnContext(ignored -> {
      // as an instance whose start failed after announcing would leave it: noted, but nobody consumes there
      String thread = Thread.currentThread().getName();
      vertx.sharedData().<String, String>getLocalMap(SameLoopRouting.MAP).clear();
      SameLoopRouting.announce(vertx, thread, address, address + "@nobody");
      replaced.complete(null);
    });
    replaced.get();

    JsonObject reply = requestFrom(stale.context, transport);

    assertThat(reply.getString("instance")).isIn(instances.get(0).name, instances.get(1).name);
  }

  @Test
  void a_direct_call_is_offered_on_an_instances_own_loop_only_served_on_its_context_and_answered_on_the_callers()
      throws Exception {
    deployTwoInstances();

    for (Instance instance : instances) {
      Context caller = contextOnTheLoopOf(instance);
      Served served = directFrom(caller);
      assertThat(served).isNotNull();
      assertThat(served.instance()).isEqualTo(instance.name);
      assertThat(served.servedOn()).isSameAs(instance.context);
      assertThat(served.answeredOn()).isSameAs(caller).isNotSameAs(instance.context);
    }
    assertThat(directFrom(callerContexts(1).get(0))).as("a loop without an instance").isNull();
    assertThat(SameLoopRouting.direct(vertx, Addresses.defaults().of(Addresses.EVENTS_READ), DirectOperation.READ))
        .as("off event loops").isNull();
  }

  @Test
  void once_an_instance_closes_callers_on_its_loop_get_no_direct_call() throws Exception {
    deployTwoInstances();
    Instance closing = instances.get(0);
    Context caller = contextOnTheLoopOf(closing);
    assertThat(directFrom(caller)).isNotNull();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    closing.context.runOnContext(ignored -> closing.endpoints.close(vertx, WAIT)
        .onComplete(done -> closed.complete(null)));
    closed.get();

    assertThat(directFrom(caller)).isNull();
    assertThat(requestFrom(caller, new EventBusTransport(vertx, WAIT)).getString("instance"))
        .isEqualTo(instances.get(1).name);
  }

  private void deployTwoInstances() {
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        String name = "instance-" + started.incrementAndGet();
        Endpoints endpoints = new Endpoints(vertx, Addresses.defaults(), 10, WAIT, new SimpleMeterRegistry());
        endpoints.serve(Addresses.EVENTS_READ, request -> Uni.createFrom().item(new JsonObject()
            .put("instance", name).put("servedOn", Thread.currentThread().getName())));
        long number = Long.parseLong(name.substring("instance-".length()));
        endpoints.serveDirect(DirectOperation.READ, read -> read, read -> {
          servedOn.put(number, Vertx.currentContext());
          return Uni.createFrom().item(new EventPage(List.of(), number, false));
        });
        instances.add(new Instance(name, context, endpoints));
        return endpoints.ready();
      }
    }, new DeploymentOptions().setInstances(2)).await();
    assertThat(instances).hasSize(2);
    assertThat(instances.get(0).context).isNotSameAs(instances.get(1).context);
    assertThat(instances.get(0).name).isNotEqualTo(instances.get(1).name);
  }

  /** {@code count} event-loop contexts, each on a loop of its own that runs no instance. */
  private List<Context> callerContexts(int count) throws Exception {
    Set<String> taken = new HashSet<>();
    for (Instance instance : instances) {
      taken.add(threadOf(instance.context));
    }
    List<Context> callers = new java.util.ArrayList<>();
    while (callers.size() < count) {
      Context context = newContext();
      if (taken.add(threadOf(context))) {
        callers.add(context);
      }
    }
    return callers;
  }

  /** A context other than the instance's on the instance's event loop. */
  private Context contextOnTheLoopOf(Instance instance) throws Exception {
    String loop = threadOf(instance.context);
    for (int i = 0; i < 20; i++) {
      Context context = newContext();
      if (threadOf(context).equals(loop)) {
        return context;
      }
    }
    throw new AssertionError("no context on " + loop);
  }

  /** Who served a direct read called on {@code context}, on which contexts; null when it had no direct call. */
  private Served directFrom(Context context) throws Exception {
    CompletableFuture<Served> served = new CompletableFuture<>();
    context.runOnContext(ignored -> {
      DirectCall<DirectOperation.StreamRead, EventPage> call = SameLoopRouting.direct(vertx,
          Addresses.defaults().of(Addresses.EVENTS_READ), DirectOperation.READ);
      if (call == null) {
        served.complete(null);
        return;
      }
      call.call(new DirectOperation.StreamRead(PersistenceId.parse("acme:Order:o-1"), 0, 10)).subscribe().with(
          page -> served.complete(new Served("instance-" + page.nextFrom(), servedOn.get(page.nextFrom()),
              Vertx.currentContext())),
          served::completeExceptionally);
    });
    return served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private record Served(String instance, Context servedOn, Context answeredOn) {
  }

  /** A verticle's context: each deployment takes the next event loop. */
  private Context newContext() {
    CompletableFuture<Context> deployed = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        deployed.complete(context);
        return Future.succeededFuture();
      }
    }).await();
    return deployed.join();
  }

  private static String threadOf(Context context) throws Exception {
    CompletableFuture<String> thread = new CompletableFuture<>();
    context.runOnContext(ignored -> thread.complete(Thread.currentThread().getName()));
    return thread.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** One request sent from {@code context}'s event loop, with the sending thread's name added to the reply. */
  private static JsonObject requestFrom(Context context, EventBusTransport transport) throws Exception {
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    context.runOnContext(ignored -> {
      String sentFrom = Thread.currentThread().getName();
      transport.request(Addresses.defaults().of(Addresses.EVENTS_READ), new JsonObject()).subscribe().with(
          body -> reply.complete(body.copy().put("sentFrom", sentFrom)), reply::completeExceptionally);
    });
    return reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private record Instance(String name, Context context, Endpoints endpoints) {
  }
}
