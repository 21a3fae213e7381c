package dev.temperstore.library;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The layout's promises, over the compiled classes: no package depends on itself through others; the API (every
 * package outside {@code internal} and {@code service}) shows no internal type in a public signature; the library
 * never reaches into the service.
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.temperstore");
    assertThat(classes.that(API)).as("API types found").hasSizeGreaterThan(50);
  }

  @Test
  void no_package_depends_on_itself_through_others() {
    slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
  }

  @Test
  void the_library_never_depends_on_the_service() {
    noClasses().that().resideOutsideOfPackage("dev.temperstore.service..")
        .should().dependOnClassesThat().resideInAPackage("dev.temperstore.service..")
        .check(classes);
  }

  @Test
  void no_public_signature_of_the_api_shows_an_internal_type() {
    classes().that(API).should(exposeNoInternalType()).check(classes);
  }

  @Test
  void the_rules_fail_on_a_cycle_and_on_an_api_type_that_shows_an_internal_one() {
    JavaClasses fixture = new ClassFileImporter().importPackages("dev.temperstore.library.fixture");

    assertThatThrownBy(() -> slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(fixture))
        .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle detected");
    assertThatThrownBy(() -> classes().that(API).should(exposeNoInternalType()).check(fixture))
        .isInstanceOf(AssertionError.class).hasMessageContaining("Leaky.store() shows "
            + "dev.temperstore.internal.events.PgEventStore");
  }

  /** Each package of ours a slice of its own, the root package included. */
  private static final SliceAssignment PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass type) {
      return type.getPackageName().startsWith("dev.temperstore")
          ? SliceIdentifier.of(type.getPackageName()) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "each package of dev.temperstore";
    }
  };

  /** Public types of the packages an application uses. */
  private static final DescribedPredicate<JavaClass> API = DescribedPredicate.describe("public API types",
      type -> type.getModifiers().contains(JavaModifier.PUBLIC) && isApi(type.getPackageName())
          && (type.getEnclosingClass().isEmpty() || type.getEnclosingClass().get().getModifiers()
              .contains(JavaModifier.PUBLIC)));

  private static boolean isApi(String pkg) {
    return pkg.startsWith("dev.temperstore") && !pkg.startsWith("dev.temperstore.internal")
        && !pkg.startsWith("dev.temperstore.service");
  }

  private static boolean isInternal(JavaClass type) {
    return type.getPackageName().startsWith("dev.temperstore.internal");
  }

  private static ArchCondition<JavaClass> exposeNoInternalType() {
    return new ArchCondition<>("show no internal type in a public or protected signature") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        for (JavaClass parent : supertypes(type)) {
          report(events, type, isInternal(parent), type.getName() + " extends or implements " + parent.getName());
        }
        for (JavaCodeUnit member : type.getCodeUnits()) {
          if (!visible(member.getModifiers())) {
            continue;
          }
          Set<JavaType> shown = new LinkedHashSet<>(member.getParameterTypes());
          shown.add(member.getReturnType());
          shown.addAll(member.getThrowsClause().getTypes());
          for (JavaType used : shown) {
            for (JavaClass raw : used.getAllInvolvedRawTypes()) {
              report(events, type, isInternal(raw), member.getFullName() + " shows " + raw.getName());
            }
          }
        }
        for (JavaField field : type.getFields()) {
          if (visible(field.getModifiers())) {
            for (JavaClass raw : field.getType().getAllInvolvedRawTypes()) {
              report(events, type, isInternal(raw), field.getFullName() + " is of " + raw.getName());
            }
          }
        }
      }
    };
  }

  private static Set<JavaClass> supertypes(JavaClass type) {
    Set<JavaClass> parents = new LinkedHashSet<>(type.getRawInterfaces());
    type.getRawSuperclass().ifPresent(parents::add);
    return parents;
  }

  private static boolean visible(Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  private static void report(ConditionEvents events, JavaClass type, boolean violated, String message) {
    if (violated) {
      events.add(SimpleConditionEvent.violated(type, message));
    }
  }
}
