package dev.temperstore.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a step list's SQL and reports every step that touches a table no earlier step creates: the check that
 * would have caught Temper's #148. It reads the SQL itself, not labels, so a mislabelled step cannot hide.
 */
final class SchemaOrder {

  private static final Pattern CREATES = Pattern.compile("(?i)CREATE TABLE IF NOT EXISTS\\s+(\\w+)");
  /** Tables an index, policy, ALTER, RLS guard or INSERT names. */
  private static final Pattern TOUCHES = Pattern.compile("(?i)(?:CREATE\\s+(?:UNIQUE\\s+)?INDEX[^;]*?\\bON\\s+"
      + "|CREATE POLICY\\s+\\w+\\s+ON\\s+|ALTER TABLE\\s+|tablename\\s*=\\s*'|INSERT INTO\\s+)(\\w+)");
  /** Tables a query reads: FROM a name that is not a function call or an array element. */
  private static final Pattern READS = Pattern.compile("(?i)\\bFROM\\s+(\\w+)\\b(?!\\s*[(\\[])");
  /** {@code WITH a AS (…), b AS (…)}: each name a query defines for itself. */
  private static final Pattern COMMON_TABLE_EXPRESSIONS =
      Pattern.compile("(?i)(?:\\bWITH\\s+|,\\s*)(\\w+)\\s+AS\\s*\\(");
  /** Line comments: prose ("grows from empty") is not a table reference. */
  private static final Pattern COMMENTS = Pattern.compile("--[^\\n]*");

  private SchemaOrder() {
  }

  /** Tables named in the SQL of {@code step} that it does not create itself. */
  static Set<String> touchedTables(MigrationStep step) {
    String sql = COMMENTS.matcher(step.sql()).replaceAll("");
    Set<String> touched = new LinkedHashSet<>();
    for (Pattern pattern : List.of(TOUCHES, READS)) {
      Matcher matcher = pattern.matcher(sql);
      while (matcher.find()) {
        touched.add(matcher.group(1).toLowerCase());
      }
    }
    touched.removeAll(createdTables(step));
    Matcher cte = COMMON_TABLE_EXPRESSIONS.matcher(sql);
    while (cte.find()) {
      touched.remove(cte.group(1).toLowerCase());
    }
    touched.removeIf(name -> name.startsWith("pg_")); // the system catalogs always exist
    touched.remove("public"); // REVOKE ... FROM PUBLIC names every role, not a table
    return touched;
  }

  static Set<String> createdTables(MigrationStep step) {
    Set<String> created = new LinkedHashSet<>();
    Matcher matcher = CREATES.matcher(step.sql());
    while (matcher.find()) {
      created.add(matcher.group(1).toLowerCase());
    }
    return created;
  }

  /** One line per violation: {@code "<label>" touches <table>, which no earlier step creates}. */
  static List<String> violations(List<MigrationStep> steps) {
    Set<String> created = new HashSet<>();
    List<String> violations = new ArrayList<>();
    for (MigrationStep step : steps) {
      for (String table : touchedTables(step)) {
        if (!created.contains(table)) {
          violations.add("\"" + step.label() + "\" touches " + table + ", which no earlier step creates");
        }
      }
      created.addAll(createdTables(step));
    }
    return violations;
  }
}
