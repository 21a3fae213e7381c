package dev.temperstore.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * The one ordered list of steps every start brings a database to: Temper's tables, indexes and row-level
 * security ({@link TemperSchema}), then the store's own functions. New steps go at the end; released steps never
 * change (the ledger refuses a changed one).
 */
public final class Schema {

  private static final List<MigrationStep> STEPS = build();

  private Schema() {
  }

  public static List<MigrationStep> steps() {
    return STEPS;
  }

  private static List<MigrationStep> build() {
    List<MigrationStep> steps = new ArrayList<>(TemperSchema.steps());
    steps.addAll(StoreFunctions.steps());
    return List.copyOf(steps);
  }
}
