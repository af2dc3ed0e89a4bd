package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.DefinitionFiles;
import io.sagaorchestrator.definitions.DefinitionLookup;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.KnownActions;
import io.sagaorchestrator.definitions.SagaDefinition;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import io.sagaorchestrator.store.DefinitionRows;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The saga definitions this instance runs: read and checked at start-up (a bad file stops the
 * start with its message), and kept in the log by content hash, so a saga started on one version
 * finishes on it even after the file changed or on another instance.
 */
@Startup
@ApplicationScoped
public class DefinitionRegistry implements DefinitionLookup {

    private static final Logger LOG = Logger.getLogger(DefinitionRegistry.class);
    private final DefinitionParser parser;
    private final DefinitionFiles files;
    private final Optional<String> directory;
    private final DefinitionRows rows;
    private final Map<String, SagaDefinition> current = new TreeMap<>();
    private final Map<String, SagaDefinition> byHash = new ConcurrentHashMap<>();

    DefinitionRegistry(KnownActions actions, DefinitionRows rows,
                       @ConfigProperty(name = "saga.definitions.dir") Optional<String> directory,
                       @ConfigProperty(name = "saga.definitions.include-examples", defaultValue = "false") boolean includeExamples) {
        this.parser = new DefinitionParser(actions);
        this.rows = rows;
        this.directory = directory;
        this.files = new DefinitionFiles(directory, includeExamples);
    }

    @PostConstruct
    void load() {
        for (Map.Entry<String, String> file : files.read().entrySet()) {
            SagaDefinition d = parser.parse(file.getKey(), file.getValue());
            SagaDefinition clash = current.putIfAbsent(d.name(), d);
            if (clash != null) {
                throw new InvalidDefinitionException(file.getKey(), "name", "saga '" + d.name() + "' is defined twice");
            }
            byHash.put(d.hash(), d);
        }
        if (current.isEmpty()) {
            throw new InvalidDefinitionException(source(), "", "no saga definition (*.yaml) found");
        }
        QuarkusTransaction.requiringNew().call(() -> rows.markCurrent(current.values())).forEach(d ->
                LOG.warnf("Saga definition %s v%d changed without a new version number; sagas started on the earlier"
                        + " content finish on it, but bump 'version' so operators can tell them apart", d.name(), d.version()));
        LOG.infof("Loaded %d saga definition(s) from %s%s: %s", current.size(), source(), directory.isPresent()
                ? " (saga.definitions.dir: the definitions shipped in the jar are not loaded)" : "", current.keySet());
    }

    public Collection<SagaDefinition> all() {
        return List.copyOf(current.values());
    }

    public Optional<SagaDefinition> current(String name) {
        return Optional.ofNullable(current.get(name));
    }

    /** Why no definition of this name is loaded, for a person who expected one: the setting that would load it. */
    public String whyNotLoaded(String name) {
        if (files.examplesLeftOut().contains(name)) {
            return "'" + name + "' is an example (saga-definitions/examples), loaded only with"
                    + " saga.definitions.include-examples=true (SAGA_DEFINITIONS_INCLUDE_EXAMPLES), as in dev mode, tests and"
                    + " the demo profile";
        }
        return "No saga definition '" + name + "' is loaded from " + source() + " (GET /api/definitions lists them)"
                + (directory.isPresent() ? "; saga.definitions.dir replaces the definitions shipped in the jar" : "");
    }

    /** The definition a saga started on, even if the file has changed since. */
    @Override
    public SagaDefinition forSaga(String name, int version, String hash) {
        return byHash.computeIfAbsent(hash, h -> {
            String content = QuarkusTransaction.requiringNew().call(() -> rows.content(name, version, hash)).orElseThrow(() ->
                    new IllegalStateException("definition " + name + " v" + version + " (" + hash + ") is not in the saga log"));
            return parser.parse(name + " v" + version + " (from the saga log)", content);
        });
    }

    private String source() {
        return files.source();
    }
}
