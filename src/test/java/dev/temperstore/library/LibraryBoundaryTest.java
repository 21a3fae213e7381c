package dev.temperstore.library;

import dev.temperstore.config.StoreConfig;
import dev.temperstore.service.config.ServiceConfig;
import io.smallrye.config.ConfigMappings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's dependencies are optional, so they are on the compile path of the library's code too: this keeps
 * the library's sources from ever using them (or the service), which a library user would find missing at run time.
 * Nor do they name the service's configuration keys: those are read and checked by the service alone.
 */
class LibraryBoundaryTest {

  private static final List<String> SERVICE_ONLY_IMPORTS = List.of("import dev.temperstore.service.",
      "import picocli.", "import ch.qos.logback.", "import io.zonky.", "import com.hazelcast.",
      "import io.vertx.spi.cluster.", "import io.vertx.ext.auth.", "import io.vertx.micrometer.",
      "import io.micrometer.prometheusmetrics.", "import org.HdrHistogram.");

  @Test
  void no_library_source_imports_the_service_or_a_service_only_dependency() throws IOException {
    Path root = Path.of("src/main/java/dev/temperstore");
    try (Stream<Path> sources = Files.walk(root)) {
      List<String> offending = sources
          .filter(path -> path.toString().endsWith(".java"))
          .filter(path -> !path.startsWith(root.resolve("service")))
          .flatMap(path -> lines(path).stream()
              .filter(line -> SERVICE_ONLY_IMPORTS.stream().anyMatch(line::startsWith))
              .map(line -> root.relativize(path) + ": " + line))
          .toList();

      assertThat(offending).isEmpty();
    }
  }

  @Test
  void no_library_source_names_a_key_of_the_services() throws IOException {
    Set<String> serviceSections = sections(ServiceConfig.class);
    serviceSections.removeAll(sections(StoreConfig.class));
    assertThat(serviceSections).as("the service's own sections").isNotEmpty();
    Path root = Path.of("src/main/java/dev/temperstore");
    try (Stream<Path> sources = Files.walk(root)) {
      List<String> offending = sources
          .filter(path -> path.toString().endsWith(".java"))
          .filter(path -> !path.startsWith(root.resolve("service")))
          .flatMap(path -> lines(path).stream()
              .filter(line -> serviceSections.stream().anyMatch(section -> line.contains("temper." + section + ".")))
              .map(line -> root.relativize(path) + ": " + line.strip()))
          .toList();

      assertThat(offending).isEmpty();
    }
  }

  /** {@code database}, {@code events}, ...: the sections a mapping reads, from SmallRye's view of it. */
  private static Set<String> sections(Class<?> mapping) {
    Set<String> sections = new TreeSet<>();
    for (String key : ConfigMappings.ConfigClass.configClass(mapping).getProperties().keySet()) {
      sections.add(key.split("\\.")[1]);
    }
    return sections;
  }

  private static List<String> lines(Path path) {
    try {
      return Files.readAllLines(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
