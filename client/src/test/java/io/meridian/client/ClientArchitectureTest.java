package io.meridian.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The client is embedded in services: it depends on the JDK, Jackson, Failsafe, SLF4J's API and (only
 * {@link MicrometerClientMetrics}) Micrometer, never on a Meridian node module.
 */
class ClientArchitectureTest {
    private static final JavaClasses CLIENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.meridian.client");

    @Test
    void shouldDependOnlyOnItsFewLibraries() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.meridian.client..",
                        "com.fasterxml.jackson..", "dev.failsafe..", "org.slf4j..", "io.micrometer..")
                .check(CLIENT);
    }

    @Test
    void shouldUseMicrometerOnlyInItsMetricsClass() {
        classes().that().doNotHaveSimpleName("MicrometerClientMetrics")
                .should().onlyDependOnClassesThat().resideOutsideOfPackage("io.micrometer..")
                .check(CLIENT);
    }
}
