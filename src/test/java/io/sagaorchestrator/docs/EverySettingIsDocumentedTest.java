package io.sagaorchestrator.docs;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every setting the service reads is in the configuration table of docs/deploying.md: a setting nobody can find is a setting
 * nobody sets, or one a reader meets in a walkthrough without knowing what it does.
 */
class EverySettingIsDocumentedTest {

    private static final Path CLASSES = Path.of("target/classes");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    /** Switches of the crash tests (CrashPoints): never set outside them, so not offered to operators. */
    private static final Set<String> TEST_HOOKS = Set.of("saga.test.crash-point", "saga.test.crash-after");

    @Test
    void everySettingTheServiceReadsIsInTheDeploymentConfigurationTable() throws Exception {
        // given the settings the service reads: injected, mapped, in a scheduler's expression, or set in application.properties
        Set<String> read = new TreeSet<>(settingsReadByTheClasses());
        read.addAll(sagaAndTtKeysOf(Files.readAllLines(Path.of("src/main/resources/application.properties"))));
        read.removeAll(TEST_HOOKS);
        assertTrue(read.contains("tt.app-secret") && read.contains("saga.engine.delay-factor")
                && read.contains("saga.escalation.delivery.give-up-after"), "the scan found too little: " + read);

        // when the configuration table of the deployment page is read
        List<Pattern> documented = documentedKeys(Files.readString(Path.of("docs/deploying.md")));

        // then each of them is in it
        List<String> undocumented = read.stream().filter(key -> documented.stream().noneMatch(p -> p.matcher(key).matches()))
                .toList();
        assertEquals(List.of(), undocumented, "settings missing from the Configuration table of docs/deploying.md");
    }

    private static Set<String> settingsReadByTheClasses() throws IOException, ClassNotFoundException {
        Set<String> keys = new TreeSet<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        ClassLoader loader = EverySettingIsDocumentedTest.class.getClassLoader();
        for (Path file : classFiles) {
            String name = CLASSES.relativize(file).toString().replace('/', '.').replaceFirst("\\.class$", "");
            Class<?> type = Class.forName(name, false, loader);
            List<AnnotatedElement> elements = new ArrayList<>(List.of(type.getDeclaredFields()));
            elements.addAll(List.of(type.getDeclaredMethods()));
            Stream.of(type.getDeclaredConstructors()).forEach(c -> elements.addAll(List.of(c.getParameters())));
            Stream.of(type.getDeclaredMethods()).forEach(m -> elements.addAll(List.of(m.getParameters())));
            for (AnnotatedElement element : elements) {
                ConfigProperty injected = element.getAnnotation(ConfigProperty.class);
                if (injected != null) {
                    keys.add(injected.name());
                }
                Scheduled scheduled = element.getAnnotation(Scheduled.class);
                if (scheduled != null) {
                    Matcher m = EXPRESSION.matcher(scheduled.every() + " " + scheduled.cron() + " " + scheduled.delayed());
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
            ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
            if (mapping != null) {
                keys.addAll(mappedKeys(mapping.prefix(), type));
            }
        }
        return keys;
    }

    /** The keys of a mapping interface: a method per key (kebab-case), a nested interface per group. */
    private static Set<String> mappedKeys(String prefix, Class<?> mapping) {
        Set<String> keys = new TreeSet<>();
        for (Method method : mapping.getDeclaredMethods()) {
            if (method.isDefault() || method.isSynthetic() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName renamed = method.getAnnotation(WithName.class);
            String key = prefix + "." + (renamed != null ? renamed.value()
                    : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
            Class<?> type = method.getReturnType();
            boolean group = type.isInterface() && type != Optional.class && !type.getName().startsWith("java.");
            keys.addAll(group ? mappedKeys(key, type) : Set.of(key));
        }
        return keys;
    }

    private static Set<String> sagaAndTtKeysOf(List<String> properties) {
        Set<String> keys = new TreeSet<>();
        for (String line : properties) {
            Matcher m = Pattern.compile("^(?:%[\\w-]+\\.)?((?:saga|tt)\\.[^=\\s]+)\\s*=").matcher(line);
            if (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    /**
     * The first column of the table under "## Configuration": each code span is a key, or ".suffix" of the key before it
     * (`a.b.c`, `.d` is a.b.d); {@code <target>} and upper-case NAME stand for any part.
     */
    static List<Pattern> documentedKeys(String page) {
        int table = page.indexOf("\n## Configuration\n");
        assertTrue(table >= 0, "docs/deploying.md has no Configuration section");
        List<Pattern> keys = new ArrayList<>();
        for (String line : page.substring(table).split("\n")) {
            if (!line.startsWith("| `")) {
                if (!keys.isEmpty() && !line.startsWith("|")) {
                    break;
                }
                continue;
            }
            String firstCell = line.substring(1, line.indexOf('|', 1));
            String parent = "";
            Matcher code = CODE.matcher(firstCell);
            while (code.find()) {
                String key = code.group(1);
                if (key.startsWith(".")) {
                    key = parent + key;
                } else {
                    parent = key.substring(0, Math.max(0, key.lastIndexOf('.')));
                }
                keys.add(Pattern.compile(Stream.of(key.split("(?=<[^>]+>|\\b[A-Z]+\\b)|(?<=>)|(?<=\\b[A-Z]{2,}\\b)"))
                        .map(part -> part.matches("<[^>]+>|[A-Z]{2,}") ? "[^.]+(\\.[^.]+)*" : Pattern.quote(part))
                        .reduce("", String::concat)));
            }
        }
        return keys;
    }

    @Test
    void aSuffixInTheTableNamesTheKeyBesideTheOneBeforeIt() {
        // the table's own shorthand, read as a person reads it
        List<Pattern> keys = documentedKeys("\n## Configuration\n\n| key |\n|---|\n| `a.b.c`, `.d` | x |\n"
                + "| `saga.http.<target>.url` | y |\n\nafter");
        assertTrue(keys.stream().anyMatch(p -> p.matcher("a.b.d").matches()));
        assertTrue(keys.stream().anyMatch(p -> p.matcher("saga.http.inventory.url").matches()));
        assertTrue(keys.stream().noneMatch(p -> p.matcher("a.d").matches()));
        assertEquals(3, keys.size(), keys.toString());
    }
}
