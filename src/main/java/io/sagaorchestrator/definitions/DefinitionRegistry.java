package io.sagaorchestrator.definitions;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
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
public class DefinitionRegistry {

    private static final Logger LOG = Logger.getLogger(DefinitionRegistry.class);
    private final DefinitionParser parser;
    private final DefinitionFiles files;
    private final Optional<String> directory;
    private final EntityManager em;
    private final Map<String, SagaDefinition> current = new TreeMap<>();
    private final Map<String, SagaDefinition> byHash = new ConcurrentHashMap<>();

    DefinitionRegistry(KnownActions actions, EntityManager em,
                       @ConfigProperty(name = "saga.definitions.dir") Optional<String> directory,
                       @ConfigProperty(name = "saga.definitions.include-examples", defaultValue = "false") boolean includeExamples) {
        this.parser = new DefinitionParser(actions);
        this.em = em;
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
        QuarkusTransaction.requiringNew().run(() -> {
            // instances starting together would otherwise interleave their marks of what is current
            em.createNativeQuery("lock table saga_definition in share row exclusive mode").executeUpdate();
            em.createNativeQuery("update saga_definition set is_current = false where is_current").executeUpdate();
            current.values().forEach(this::remember);
        });
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
    public SagaDefinition forSaga(String name, int version, String hash) {
        return byHash.computeIfAbsent(hash, h -> QuarkusTransaction.requiringNew().call(() -> {
            List<?> content = em.createNativeQuery("select content from saga_definition where name = ?1 and version = ?2 and hash = ?3")
                    .setParameter(1, name).setParameter(2, version).setParameter(3, hash).getResultList();
            if (content.isEmpty()) {
                throw new IllegalStateException("definition " + name + " v" + version + " (" + hash + ") is not in the saga log");
            }
            return parser.parse(name + " v" + version + " (from the saga log)", (String) content.get(0));
        }));
    }

    /**
     * Keeps the definition in the log, marked as what the instance that started last runs: saga_dispatch (the SQL
     * entry point, see V10) starts sagas on it, and refuses one whose first step is local. Its search fields go with it:
     * the database stores their values when a saga of it is recorded, whatever path records it (V15).
     */
    private void remember(SagaDefinition d) {
        int inserted = em.createNativeQuery("insert into saga_definition (name, version, hash, content) values (?1, ?2, ?3, ?4)"
                        + " on conflict do nothing")
                .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash()).setParameter(4, d.source())
                .executeUpdate();
        // the fields are identifiers (the parser checks it), so a comma cannot occur in one
        em.createNativeQuery("update saga_definition set is_current = true, first_step_kind = ?4,"
                        + " search = nullif(string_to_array(?5, ','), '{}') where name = ?1 and version = ?2 and hash = ?3")
                .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash())
                .setParameter(4, d.step(0).kind().name()).setParameter(5, String.join(",", d.search())).executeUpdate();
        if (inserted == 1) {
            Number sameVersion = (Number) em.createNativeQuery("select count(*) from saga_definition where name = ?1 and version = ?2")
                    .setParameter(1, d.name()).setParameter(2, d.version()).getSingleResult();
            if (sameVersion.intValue() > 1) {
                LOG.warnf("Saga definition %s v%d changed without a new version number; sagas started on the earlier"
                        + " content finish on it, but bump 'version' so operators can tell them apart", d.name(), d.version());
            }
        }
    }

    private String source() {
        return files.source();
    }
}
