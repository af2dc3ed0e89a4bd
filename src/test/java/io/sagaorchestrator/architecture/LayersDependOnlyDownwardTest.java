package io.sagaorchestrator.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import jakarta.persistence.EntityManager;

import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layout says what decides, what writes, what does and what answers; these rules keep it saying so. Each layer
 * may use the ones below it, never one above, and no two packages need each other.
 */
class LayersDependOnlyDownwardTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.sagaorchestrator");

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        // given the shipped classes; when their dependencies are read; then each points down (or sideways to telemetry)
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("main").definedBy("io.sagaorchestrator")
                .layer("examples").definedBy("io.sagaorchestrator.examples..")
                .layer("web").definedBy("io.sagaorchestrator.web..")
                .layer("check").definedBy("io.sagaorchestrator.check..")
                .layer("operator").definedBy("io.sagaorchestrator.operator..")
                .layer("runtime").definedBy("io.sagaorchestrator.runtime..")
                .layer("store").definedBy("io.sagaorchestrator.store..")
                .layer("telemetry").definedBy("io.sagaorchestrator.telemetry..")
                .layer("core").definedBy("io.sagaorchestrator.core..")
                .layer("definitions").definedBy("io.sagaorchestrator.definitions..")
                .layer("steps").definedBy("io.sagaorchestrator.steps..")
                .whereLayer("main").mayNotBeAccessedByAnyLayer()
                .whereLayer("examples").mayNotBeAccessedByAnyLayer()
                .whereLayer("web").mayOnlyBeAccessedByLayers("examples")
                // check asks the core what the engine would do, without a store, a runtime or a network
                .whereLayer("check").mayOnlyBeAccessedByLayers("main", "web")
                .whereLayer("operator").mayOnlyBeAccessedByLayers("web", "examples")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("operator", "web", "examples")
                .whereLayer("store").mayOnlyBeAccessedByLayers("runtime", "operator", "web", "examples")
                .whereLayer("telemetry").mayOnlyBeAccessedByLayers("store", "runtime", "operator", "web", "examples")
                .whereLayer("core").mayOnlyBeAccessedByLayers("check", "telemetry", "store", "runtime", "operator", "web",
                        "examples")
                .whereLayer("definitions").mayOnlyBeAccessedByLayers("check", "core", "telemetry", "store", "runtime", "operator",
                        "web", "examples")
                .ensureAllClassesAreContainedInArchitecture();
        layers.check(MAIN);
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("io.sagaorchestrator.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theCoreDecidesWithoutInputOutputFrameworksOrAClockOfItsOwn() {
        // the core is a pure function of the saga, the definition and the event: testable in memory, given / when / expect
        noClasses().that().resideInAPackage("io.sagaorchestrator.core..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "io.quarkus..", "java.sql..", "javax.sql..",
                        "io.agroal..", "org.hibernate..", "io.opentelemetry..", "io.micrometer..", "io.vertx..",
                        "org.eclipse.microprofile..", "java.net..", "java.io..")
                .orShould().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Clock.class, "systemUTC")
                .check(MAIN);
    }

    @Test
    void onlyTheStoreRunsSql() {
        // the example applications keep their own tables; the engine's are the store's alone
        noClasses().that().resideOutsideOfPackages("io.sagaorchestrator.store..", "io.sagaorchestrator.examples..")
                .should().callMethod(Connection.class, "prepareStatement", String.class)
                .orShould().callMethod(EntityManager.class, "createNativeQuery", String.class)
                .orShould().callMethod(EntityManager.class, "createNativeQuery", String.class, Class.class)
                .orShould().callMethod(EntityManager.class, "createQuery", String.class)
                .check(MAIN);
    }
}
