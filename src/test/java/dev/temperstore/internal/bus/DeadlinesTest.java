package dev.temperstore.internal.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests under one deadline, watched by one timer: each unanswered one expires at its own deadline (at most
 * {@link Deadlines#EARLY} before it), in the order they came, an answered one never does, and nothing of an answered
 * request is kept once those before it are done.
 */
class DeadlinesTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void unanswered_requests_expire_at_their_own_deadlines_in_order_and_an_answered_one_never() throws Exception {
    Deadlines deadlines = on(() -> new Deadlines(vertx, Duration.ofMillis(300)));
    List<String> expired = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    List<Long> expiredAfter = new CopyOnWriteArrayList<>();

    Deadlines.Watch first = on(() -> deadlines.watch(System.nanoTime(), () -> {
      expired.add("first");
      expiredAfter.add(System.nanoTime() - start);
    }));
    Thread.sleep(100);
    Deadlines.Watch second = on(() -> deadlines.watch(System.nanoTime(), () -> expired.add("second")));
    Thread.sleep(100);
    on(() -> deadlines.watch(System.nanoTime(), () -> {
      expired.add("third");
      expiredAfter.add(System.nanoTime() - start);
    }));
    assertThat(on(second::answer)).isTrue();
    Thread.sleep(600);

    assertThat(expired).containsExactly("first", "third");
    assertThat(expiredAfter.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300) - Deadlines.EARLY);
    assertThat(expiredAfter.get(1)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500) - Deadlines.EARLY);
    assertThat(on(first::answer)).as("already answered by its deadline").isFalse();
    assertThat(on(second::answer)).isFalse();
    assertThat(on(deadlines::kept)).isZero();
  }

  @Test
  void answered_requests_leave_as_soon_as_every_request_before_them_is_answered() throws Exception {
    Deadlines deadlines = on(() -> new Deadlines(vertx, Duration.ofSeconds(30)));
    Deadlines.Watch first = on(() -> deadlines.watch(System.nanoTime(), () -> { }));
    Deadlines.Watch second = on(() -> deadlines.watch(System.nanoTime(), () -> { }));
    Deadlines.Watch third = on(() -> deadlines.watch(System.nanoTime(), () -> { }));

    on(second::answer);
    on(third::answer);
    assertThat(on(deadlines::kept)).as("behind an unanswered one").isEqualTo(3);
    on(first::answer);

    assertThat(on(deadlines::kept)).isZero();
  }

  private <T> T on(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(ignored -> result.complete(action.get()));
    return result.get(5, TimeUnit.SECONDS);
  }
}
