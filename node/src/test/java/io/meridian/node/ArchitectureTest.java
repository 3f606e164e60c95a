package io.meridian.node;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the module picture of ARCHITECTURE.md true: dependencies point one way, internals stay internal. */
class ArchitectureTest {
    private static final JavaClasses MERIDIAN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // test-jars of other modules (infra's testkit) are not main code either
            .withImportOption(location -> !location.contains("-tests.jar"))
            // cli is on this module's test classpath only (LocalDeploymentTest runs the runbook's commands); its
            // picocli command classes refer to each other by design and are no node dependency
            .withImportOption(location -> !location.contains("/io/meridian/cli/"))
            .importPackages("io.meridian");

    @Test
    void modulesDependOneWay() {
        // bench and chaos are on top of node; their classes are not on this module's classpath (their own runs of this
        // test check them).
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .optionalLayer("bench").definedBy("io.meridian.bench..")
                .optionalLayer("chaos").definedBy("io.meridian.chaos..")
                .layer("node").definedBy("io.meridian.node..")
                .layer("router").definedBy("io.meridian.router..")
                .layer("migration").definedBy("io.meridian.migration..")
                .layer("election").definedBy("io.meridian.election..")
                .layer("streams").definedBy("io.meridian.streams..")
                .layer("infra").definedBy("io.meridian.infra..")
                .whereLayer("bench").mayNotBeAccessedByAnyLayer()
                .whereLayer("chaos").mayNotBeAccessedByAnyLayer()
                .whereLayer("node").mayOnlyBeAccessedByLayers("bench", "chaos")
                .whereLayer("router").mayOnlyBeAccessedByLayers("node", "bench", "chaos")
                .whereLayer("migration").mayOnlyBeAccessedByLayers("router", "node", "bench", "chaos")
                .whereLayer("election").mayOnlyBeAccessedByLayers("migration", "router", "node", "bench", "chaos")
                .whereLayer("streams").mayOnlyBeAccessedByLayers("router", "node", "bench", "chaos")
                .whereLayer("infra").mayOnlyBeAccessedByLayers("streams", "election", "migration", "router", "node", "bench", "chaos")
                .check(MERIDIAN);
    }

    @Test
    void internalsAreNotUsedFromOtherModules() {
        for (String module : List.of("infra", "streams", "election", "migration", "router", "node", "cli", "client")) {
            String root = "io.meridian." + module;
            noClasses().that().resideOutsideOfPackages(root + "..")
                    .should().dependOnClassesThat().resideInAPackage(root + ".internal..")
                    .because(root + ".internal is " + module + "'s own")
                    .allowEmptyShould(true)
                    .check(MERIDIAN);
        }
    }

    /** No two source files depend on each other, directly or around a loop (a public class and its internals). */
    @Test
    void sourceFilesHaveNoCycles() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                JavaClass top = javaClass;
                while (top.getEnclosingClass().isPresent()) {
                    top = top.getEnclosingClass().get();
                }
                return SliceIdentifier.of(top.getName());
            }

            @Override
            public String getDescription() {
                return "source files";
            }
        }).should().beFreeOfCycles().check(MERIDIAN);
    }
}
