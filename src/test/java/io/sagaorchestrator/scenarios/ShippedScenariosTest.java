package io.sagaorchestrator.scenarios;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every test scenario beside the shipped definitions ({@code saga-definitions/tests/*.yaml}) played through the real engine,
 * one test per file, named after it (see {@link ScenarioRunner} for how time, kills and third parties are handled). Run
 * them alone with {@code ./mvnw -q test -Dtest=ShippedScenariosTest}.
 */
@QuarkusTest
class ShippedScenariosTest {

    static final Path DIR = Path.of("saga-definitions", "tests");
    private static final Logger LOG = Logger.getLogger(ShippedScenariosTest.class);
    private static long startedAt;

    @Inject
    ScenarioRunner scenarios;

    @Inject
    DefinitionRegistry definitions;

    @BeforeAll
    static void clock() {
        startedAt = System.nanoTime();
    }

    @AfterAll
    static void howLong() {
        LOG.infof("The scenarios of saga-definitions/tests took %d ms", (System.nanoTime() - startedAt) / 1_000_000);
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioHolds() throws IOException {
        return files().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), file.toUri(),
                () -> scenarios.play(Scenario.parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8),
                        definitions::current))));
    }

    @TestFactory
    Stream<DynamicTest> everyShippedDefinitionHasScenarios() throws IOException {
        Set<String> covered = new TreeSet<>();
        for (Path file : files()) {
            covered.add(Scenario.parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8),
                    definitions::current).saga());
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (SagaDefinition definition : definitions.all()) {
            if (shipped(definition.name())) {
                tests.add(DynamicTest.dynamicTest(definition.name(), () -> assertTrue(covered.contains(definition.name()),
                        "saga " + definition.name() + " has no scenario in " + DIR)));
            }
        }
        assertEquals(false, tests.isEmpty(), "no shipped definition is loaded");
        return tests.stream();
    }

    /** A definition of saga-definitions/ (or its examples), not one of the test definitions in src/test/resources. */
    private static boolean shipped(String name) {
        return Files.exists(Path.of("saga-definitions", name + ".yaml")) || Files.exists(Path.of("saga-definitions", "examples", name + ".yaml"));
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> paths = Files.list(DIR)) {
            return paths.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
