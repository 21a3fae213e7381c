package dev.temperstore.service.config;

import dev.temperstore.config.StoreConfig;
import io.smallrye.config.ConfigMappings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration key in code, as SmallRye sees the two mappings ({@link StoreConfig}, the library's, and
 * {@link ServiceConfig}, the service's), is in the README's configuration table and in
 * {@code conf/application.properties} with the code's default, and neither document shows a key the code lacks.
 *
 * <p>A default in code is a value ({@code 10s}), an expression ({@code ${DATABASE_URL:}}: that variable, else
 * none) or nothing (an Optional: unset). The properties file shows the value or the expression as it is, and
 * nothing as an empty value. The README's default cell starts with the value as code ({@code `10s`}), and when
 * there is none says so in words, without a leading code span; for an expression, its environment column names the
 * variable too. A map ({@code temper.secrets.keys.<version>}) is one row in the README and a commented example in
 * the properties file.
 */
class ConfigurationDocsTest {

  private static final Path README = Path.of("README.md");
  private static final Path CONF = Path.of("conf", "application.properties");
  private static final Pattern CODE_SPAN = Pattern.compile("`([^`]*)`");
  private static final Pattern LEADING_CODE_SPAN = Pattern.compile("^`([^`]*)`");
  private static final Pattern EXPRESSION = Pattern.compile("^\\$\\{([A-Za-z0-9_]+):}$");
  private static final Pattern COMMENTED_EXAMPLE = Pattern.compile("^#\\s*(temper\\.[A-Za-z0-9.-]+)=");
  private static final Pattern CITED_HEADING = Pattern.compile("(docs/[A-Za-z0-9_/.-]+\\.md), \"([^\"]+)\"");
  private static final Pattern CITED_FILE = Pattern.compile("docs/[A-Za-z0-9_/.-]+\\.md");

  @Test
  void the_readme_table_shows_every_key_in_code_with_its_default_and_no_other() {
    assertThat(readmeProblems(read(README), keysInCode())).isEmpty();
  }

  @Test
  void the_shipped_properties_file_shows_every_key_in_code_with_its_default_and_no_other() {
    assertThat(confProblems(read(CONF), keysInCode())).isEmpty();
  }

  @Test
  void the_keys_come_from_both_mappings() {
    Map<String, String> keys = keysInCode();

    assertThat(keys).containsKeys("temper.database.url", "temper.secrets.keys.*", "temper.bridge.auth.issuer",
        "temper.embedded.durable");
    assertThat(keys.get("temper.database.pool-size")).isEqualTo("8");
    assertThat(keys.get("temper.bridge.auth.jwt-secret")).isNull();
  }

  @Test
  void the_checks_fail_on_a_missing_key_an_extra_key_and_another_default() {
    Map<String, String> code = keysInCode();
    String readme = read(README);
    String conf = read(CONF);

    assertThat(readmeProblems(readme.replaceAll("(?m)^\\| `temper\\.http\\.port` .*\\n", ""), code))
        .containsExactly("temper.http.port: missing from the README's configuration table");
    assertThat(readmeProblems(readme.replace("| `temper.http.port` |",
        "| `temper.http.portt` | `TEMPER_HTTP_PORTT` | `1` | x |\n| `temper.http.port` |"), code))
        .containsExactly("temper.http.portt: in the README's configuration table, not in code");
    assertThat(readmeProblems(readme.replace("| `TEMPER_BRIDGE_PORT` | `7000` |", "| `TEMPER_BRIDGE_PORT` | `7001` |"),
        code)).containsExactly("temper.bridge.port: the README's default is `7001`, the code's `7000`");

    assertThat(confProblems(conf.replace("temper.http.port=8081\n", ""), code))
        .containsExactly("temper.http.port: missing from conf/application.properties");
    assertThat(confProblems(conf + "temper.http.portt=1\n", code))
        .containsExactly("temper.http.portt: in conf/application.properties, not in code");
    assertThat(confProblems(conf.replace("temper.bridge.port=7000\n", "temper.bridge.port=7001\n"), code))
        .containsExactly("temper.bridge.port: conf/application.properties has \"7001\", the code's default is"
            + " \"7000\"");
  }

  @Test
  void the_shipped_properties_file_cites_only_documents_and_headings_that_exist() {
    String conf = read(CONF);
    List<String> problems = new ArrayList<>();
    Matcher file = CITED_FILE.matcher(conf);
    while (file.find()) {
      if (!Files.isRegularFile(Path.of(file.group()))) {
        problems.add(file.group() + " does not exist");
      }
    }
    Matcher heading = CITED_HEADING.matcher(conf.replaceAll("\\n# ", " "));
    while (heading.find()) {
      Path cited = Path.of(heading.group(1));
      if (Files.isRegularFile(cited) && !read(cited).lines()
          .anyMatch(line -> line.matches("#+ " + Pattern.quote(heading.group(2))))) {
        problems.add(heading.group(1) + " has no heading \"" + heading.group(2) + "\"");
      }
    }

    assertThat(problems).isEmpty();
  }

  /** Each key of both mappings, maps as {@code prefix.*}, with its default as the code declares it (null: none). */
  static Map<String, String> keysInCode() {
    Map<String, String> keys = new TreeMap<>();
    for (Class<?> mapping : List.of(StoreConfig.class, ServiceConfig.class)) {
      keys.putAll(ConfigMappings.ConfigClass.configClass(mapping).getProperties());
    }
    return keys;
  }

  static List<String> readmeProblems(String readme, Map<String, String> code) {
    List<String> problems = new ArrayList<>();
    Map<String, String[]> rows = new HashMap<>();
    for (String line : section(readme, "## Configuration").lines().toList()) {
      if (!line.startsWith("| `temper.")) {
        continue;
      }
      String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
      String key = firstCodeSpan(cells[0]).replaceAll("<[^>]*>", "*");
      if (cells.length != 4) {
        problems.add(key + ": the README's row has " + cells.length + " cells, not 4 (a '|' in a cell?)");
      } else if (rows.put(key, cells) != null) {
        problems.add(key + ": twice in the README's configuration table");
      }
    }
    for (Map.Entry<String, String> key : code.entrySet()) {
      String[] cells = rows.get(key.getKey());
      if (cells == null) {
        problems.add(key.getKey() + ": missing from the README's configuration table");
        continue;
      }
      String environment = firstCodeSpan(cells[1]).replaceAll("<[^>]*>", "*");
      String expected = key.getKey().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      if (!environment.equals(expected)) {
        problems.add(key.getKey() + ": the README's environment variable is `" + environment + "`, expected `"
            + expected + "`");
      }
      Matcher leading = LEADING_CODE_SPAN.matcher(cells[2].strip());
      String documented = leading.find() ? leading.group(1) : null;
      String inCode = key.getValue();
      Matcher expression = EXPRESSION.matcher(inCode == null ? "" : inCode);
      if (expression.matches()) {
        if (!CODE_SPAN.matcher(cells[1]).results().anyMatch(span -> span.group(1).equals(expression.group(1)))) {
          problems.add(key.getKey() + ": defaults to " + inCode + ", but the README's environment column does not"
              + " name " + expression.group(1));
        }
        inCode = null; // unset unless that variable is
      }
      if (inCode == null && documented != null) {
        problems.add(key.getKey() + ": the README's default is `" + documented + "`, the code has none");
      } else if (inCode != null && documented == null) {
        problems.add(key.getKey() + ": the README shows no default, the code's is `" + inCode + "`");
      } else if (inCode != null && !inCode.equals(documented)) {
        problems.add(key.getKey() + ": the README's default is `" + documented + "`, the code's `" + inCode + "`");
      }
    }
    rows.keySet().stream().filter(key -> !code.containsKey(key)).sorted()
        .forEach(key -> problems.add(key + ": in the README's configuration table, not in code"));
    return problems;
  }

  static List<String> confProblems(String conf, Map<String, String> code) {
    List<String> problems = new ArrayList<>();
    Properties assigned = new Properties();
    try {
      assigned.load(new StringReader(conf));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> examples = conf.lines().map(COMMENTED_EXAMPLE::matcher).filter(Matcher::find)
        .map(example -> example.group(1)).toList();
    for (Map.Entry<String, String> key : code.entrySet()) {
      if (key.getKey().endsWith(".*")) {
        String prefix = key.getKey().substring(0, key.getKey().length() - 1);
        if (examples.stream().noneMatch(example -> example.startsWith(prefix))) {
          problems.add(key.getKey() + ": no commented example (" + prefix + "<key>=...) in conf/application.properties");
        }
        continue;
      }
      String value = assigned.getProperty(key.getKey());
      String expected = key.getValue() == null ? "" : key.getValue();
      if (value == null) {
        problems.add(key.getKey() + ": missing from conf/application.properties");
      } else if (!value.equals(expected)) {
        problems.add(key.getKey() + ": conf/application.properties has \"" + value + "\", the code's default is \""
            + expected + "\"");
      }
    }
    assigned.stringPropertyNames().stream().filter(name -> !code.containsKey(name)).sorted()
        .forEach(name -> problems.add(name + ": in conf/application.properties, not in code"));
    examples.stream().filter(example -> code.keySet().stream().noneMatch(key -> key.endsWith(".*")
            && example.startsWith(key.substring(0, key.length() - 1)))).sorted()
        .forEach(example -> problems.add(example + ": a commented example in conf/application.properties, of no map"
            + " in code"));
    return problems;
  }

  /** From {@code heading} to the next heading of its level. */
  private static String section(String markdown, String heading) {
    int start = markdown.indexOf("\n" + heading + "\n");
    assertThat(start).as(heading).isNotNegative();
    int end = markdown.indexOf("\n" + heading.substring(0, heading.indexOf(' ') + 1), start + 1);
    return markdown.substring(start, end < 0 ? markdown.length() : end);
  }

  private static String firstCodeSpan(String cell) {
    Matcher span = CODE_SPAN.matcher(cell);
    return span.find() ? span.group(1) : cell.strip();
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
