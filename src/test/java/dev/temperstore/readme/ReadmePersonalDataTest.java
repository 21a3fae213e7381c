package dev.temperstore.readme;

import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.config.ConfigLoader;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.subjects.Redaction;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.PostgresServer;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's personal data code is {@link PersonalDataExample}, word for word, and it works on a real PostgreSQL. */
class ReadmePersonalDataTest extends DatabaseTest {

  private static final Path EXAMPLE = Path.of("src/test/java/dev/temperstore/readme/PersonalDataExample.java");

  @Test
  void the_readme_shows_the_personal_data_example_as_it_is_compiled() throws IOException {
    String source = Files.readString(EXAMPLE);
    String shown = source.substring(source.indexOf("import "));

    assertThat(Files.readString(Path.of("README.md"))).contains("```java\n" + shown + "```\n");
  }

  @Test
  void the_example_reads_the_fields_as_written_then_their_replacements_once_the_subject_is_forgotten() {
    vertx.deployVerticle(new StoreVerticle(ConfigLoader.fromProperties(Map.of(
        "temper.database.url", PostgresServer.url(database.asOwner()),
        "temper.secrets.keys.1", TestKeys.KEY_1)))).await();

    List<StoredEvent> read = PersonalDataExample.run(StoreClient.create(vertx));

    JsonObject before = ((JsonObject) read.get(0).payload()).getJsonObject("customer");
    JsonObject after = ((JsonObject) read.get(1).payload()).getJsonObject("customer");
    assertThat(before.getString("name")).isEqualTo("Ada");
    assertThat(after.getString("name")).isEqualTo("(forgotten)");
    assertThat(after.getValue("email")).isNull();
    assertThat(after.getString("id")).isEqualTo("c-42");
    assertThat(read.get(1).redaction()).get().extracting(Redaction::reason).isEqualTo(Redaction.FORGOTTEN);
    assertThat(database.admin().strings("SELECT payload::text || metadata::text FROM events"))
        .singleElement().asString().doesNotContain("Ada").doesNotContain("ada@example.com");
  }
}
