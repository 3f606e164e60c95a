package io.meridian.node;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the module picture of ARCHITECTURE.md true: dependencies point one way, internals stay internal. */
class ArchitectureTest {
    private static final JavaClasses MERIDIAN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.meridian");

    @Test
    void modulesDependOneWay() {
        // bench is on top of node; its classes are not on this module's classpath (bench's own test checks them).
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .optionalLayer("bench").definedBy("io.meridian.bench..")
                .layer("node").definedBy("io.meridian.node..")
                .layer("router").definedBy("io.meridian.router..")
                .layer("migration").definedBy("io.meridian.migration..")
                .layer("election").definedBy("io.meridian.election..")
                .layer("streams").definedBy("io.meridian.streams..")
                .layer("infra").definedBy("io.meridian.infra..")
                .whereLayer("bench").mayNotBeAccessedByAnyLayer()
                .whereLayer("node").mayOnlyBeAccessedByLayers("bench")
                .whereLayer("router").mayOnlyBeAccessedByLayers("node", "bench")
                .whereLayer("migration").mayOnlyBeAccessedByLayers("router", "node", "bench")
                .whereLayer("election").mayOnlyBeAccessedByLayers("migration", "router", "node", "bench")
                .whereLayer("streams").mayOnlyBeAccessedByLayers("election", "migration", "router", "node", "bench")
                .whereLayer("infra").mayOnlyBeAccessedByLayers("streams", "election", "migration", "router", "node", "bench")
                .check(MERIDIAN);
    }

    @Test
    void internalsAreNotUsedFromOtherModules() {
        noClasses().that().resideOutsideOfPackages("io.meridian.streams..")
                .should().dependOnClassesThat().resideInAPackage("io.meridian.streams.internal..")
                .check(MERIDIAN);
        noClasses().that().resideOutsideOfPackages("io.meridian.router..")
                .should().dependOnClassesThat().resideInAPackage("io.meridian.router.internal..")
                .check(MERIDIAN);
    }
}
