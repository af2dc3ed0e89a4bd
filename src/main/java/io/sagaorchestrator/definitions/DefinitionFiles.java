package io.sagaorchestrator.definitions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The definition files a start reads ({@code saga.definitions.dir}, or the shipped ones, with or without the examples),
 * without the database: {@link DefinitionRegistry} keeps them in the saga log, and a production start checks what they
 * need before anything connects.
 */
public final class DefinitionFiles {

    private static final String CLASSPATH_DIR = "saga-definitions";
    private static final String EXAMPLES = "examples";

    private final Optional<String> directory;
    private final boolean includeExamples;
    /** The file names (without .yaml) of the examples left out because saga.definitions.include-examples is false. */
    private final Set<String> examplesLeftOut = new TreeSet<>();

    public DefinitionFiles(Optional<String> directory, boolean includeExamples) {
        this.directory = directory;
        this.includeExamples = includeExamples;
    }

    /** Every definition of the files, read and checked as at start-up (a bad file throws with its message). */
    public List<SagaDefinition> parse(KnownActions actions) {
        DefinitionParser parser = new DefinitionParser(actions);
        return read().entrySet().stream().map(file -> parser.parse(file.getKey(), file.getValue())).toList();
    }

    public Set<String> examplesLeftOut() {
        return examplesLeftOut;
    }

    /** Where the definitions are read from, for messages. */
    public String source() {
        return directory.orElse("classpath:" + CLASSPATH_DIR);
    }

    /**
     * The files of {@code saga.definitions.dir}, or of every {@code saga-definitions} directory on the classpath: the
     * jar's, and in tests the test definitions beside it. A file name found twice is an error, not a silent choice.
     */
    public Map<String, String> read() {
        try {
            if (directory.isPresent()) {
                return readYaml(Path.of(directory.get()));
            }
            Map<String, String> files = new TreeMap<>();
            for (URL url : Collections.list(Thread.currentThread().getContextClassLoader().getResources(CLASSPATH_DIR))) {
                URI uri = url.toURI();
                if ("jar".equals(uri.getScheme())) {
                    try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                        addAll(files, readYaml(jar.getPath(CLASSPATH_DIR)));
                    }
                } else {
                    addAll(files, readYaml(Path.of(uri)));
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saga definitions from " + source(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addAll(Map<String, String> files, Map<String, String> more) {
        more.forEach((name, content) -> {
            String earlier = files.putIfAbsent(name, content);
            if (earlier != null && !earlier.equals(content)) {
                throw new InvalidDefinitionException(name, "", "two saga-definitions/ directories on the classpath hold a different " + name);
            }
        });
    }

    /** The definitions of {@code dir}, and those of its {@code examples} folder when examples are included. */
    private Map<String, String> readYaml(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        Map<String, String> files = new TreeMap<>();
        readYaml(dir, "", files);
        Path examples = dir.resolve(EXAMPLES);
        if (includeExamples && Files.isDirectory(examples)) {
            readYaml(examples, EXAMPLES + "/", files);
        } else if (Files.isDirectory(examples)) {
            Map<String, String> leftOut = new TreeMap<>();
            readYaml(examples, "", leftOut);
            leftOut.keySet().forEach(file -> examplesLeftOut.add(file.replaceFirst("\\.ya?ml$", "")));
        }
        return files;
    }

    private static void readYaml(Path dir, String prefix, Map<String, String> files) throws IOException {
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path p : paths.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList()) {
                files.put(prefix + p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
    }
}
