package dev.temperstore.readme;

import dev.temperstore.events.EventPage;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.PostgresServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's embedding code is {@link EmbeddingExample}, word for word, and it works on a real PostgreSQL. */
class ReadmeEmbeddingTest extends DatabaseTest {

  private static final Path EXAMPLE = Path.of("src/test/java/dev/temperstore/readme/EmbeddingExample.java");

  @Test
  void the_readme_shows_the_embedding_example_as_it_is_compiled() throws IOException {
    String source = Files.readString(EXAMPLE);
    String shown = source.substring(source.indexOf("import ")); // the package line is the test suite's own
    String readme = Files.readString(Path.of("README.md"));

    assertThat(readme).contains("```java\n" + shown + "```\n");
  }

  @Test
  void the_embedding_example_deploys_the_store_and_appends_and_reads_through_the_bus() {
    EventPage page = EmbeddingExample.run(vertx, EmbeddingExample.fromMap(PostgresServer.url(database.asOwner())));

    assertThat(page.events()).extracting(event -> event.eventType()).containsExactly("OrderPlaced", "OrderPaid");
    assertThat(database.admin().strings("SELECT event_type FROM events WHERE tenant = 'acme' ORDER BY sequence_nr"))
        .containsExactly("OrderPlaced", "OrderPaid");
  }

  @Test
  void the_application_config_sources_reach_the_store() {
    System.setProperty("temper.bus.prefix", "app.store");
    try {
      assertThat(EmbeddingExample.fromApplicationConfig().bus().prefix()).isEqualTo("app.store");
    } finally {
      System.clearProperty("temper.bus.prefix");
    }
  }
}
