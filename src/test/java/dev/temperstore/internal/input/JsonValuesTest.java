package dev.temperstore.internal.input;

import dev.temperstore.errors.InvalidRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonValuesTest {

  @Test
  void a_document_that_passes_never_asks_for_its_path() {
    AtomicInteger asked = new AtomicInteger();
    JsonObject payload = new JsonObject().put("items", new JsonArray().add(new JsonObject().put("n", 1.5))
        .add("text")).put("ok", true);

    assertThatCode(() -> JsonValues.check(() -> "payload" + asked.incrementAndGet(), payload))
        .doesNotThrowAnyException();
    assertThat(asked).hasValue(0);
  }

  @Test
  void the_first_value_refused_is_named_by_its_full_path() {
    JsonObject payload = new JsonObject().put("a", new JsonArray().add(1).add(new JsonObject()
        .put("b", Double.NaN).put("c", "x\u0000")));

    assertThatThrownBy(() -> JsonValues.check("events[3].payload", payload))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageStartingWith("events[3].payload.a[1].b is not a finite number");
  }

  @Test
  void nesting_past_the_limit_is_named_where_it_goes_too_deep() {
    JsonArray deep = new JsonArray();
    JsonArray inner = deep;
    for (int i = 0; i < JsonValues.MAX_DEPTH + 5; i++) {
      JsonArray next = new JsonArray();
      inner.add(next);
      inner = next;
    }

    assertThatThrownBy(() -> JsonValues.check("payload", deep))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageStartingWith("payload" + "[0]".repeat(JsonValues.MAX_DEPTH) + " is nested more than");
  }
}
