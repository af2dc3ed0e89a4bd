package io.sagaorchestrator.store;

import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The definitions kept in the log by content hash, so that a saga started on one version finishes on it even after its
 * file changed or on another instance; and which of them saga_dispatch (the SQL entry point, see V10) starts sagas on.
 * Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class DefinitionRows {

    private final EntityManager em;

    DefinitionRows(EntityManager em) {
        this.em = em;
    }

    /**
     * Keeps these definitions, marked as what the instance that started last runs. Their search fields go with them:
     * the database stores their values when a saga of one is recorded, whatever path records it (V15).
     *
     * @return those whose content changed under a version number that was kept before
     */
    public List<SagaDefinition> markCurrent(Collection<SagaDefinition> current) {
        // instances starting together would otherwise interleave their marks of what is current
        em.createNativeQuery("lock table saga_definition in share row exclusive mode").executeUpdate();
        em.createNativeQuery("update saga_definition set is_current = false where is_current").executeUpdate();
        List<SagaDefinition> changedInPlace = new ArrayList<>();
        for (SagaDefinition d : current) {
            int inserted = em.createNativeQuery("""
                            insert into saga_definition (name, version, hash, content) values (?1, ?2, ?3, ?4)
                            on conflict do nothing""")
                    .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash()).setParameter(4, d.source())
                    .executeUpdate();
            // the fields are identifiers (the parser checks it), so a comma cannot occur in one
            em.createNativeQuery("""
                            update saga_definition set is_current = true, first_step_kind = ?4,
                                search = nullif(string_to_array(?5, ','), '{}'), signals = cast(?6 as jsonb)
                            where name = ?1 and version = ?2 and hash = ?3""")
                    .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash())
                    .setParameter(4, d.step(0).kind().name()).setParameter(5, String.join(",", d.search()))
                    .setParameter(6, signals(d)).executeUpdate();
            if (inserted == 1 && ((Number) em.createNativeQuery("select count(*) from saga_definition where name = ?1 and version = ?2")
                    .setParameter(1, d.name()).setParameter(2, d.version()).getSingleResult()).intValue() > 1) {
                changedInPlace.add(d);
            }
        }
        return changedInPlace;
    }

    /** Its awaits as saga_signal reads them (V18): {"signal": "step name"}; names are identifiers, so no escaping is needed. */
    private static String signals(SagaDefinition d) {
        return d.steps().stream().filter(s -> s.await() != null)
                .map(s -> "\"" + s.await().signal() + "\": \"" + s.name() + "\"")
                .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
    }

    /** The text of a definition kept in the log. */
    public Optional<String> content(String name, int version, String hash) {
        return em.createNativeQuery("select content from saga_definition where name = ?1 and version = ?2 and hash = ?3")
                .setParameter(1, name).setParameter(2, version).setParameter(3, hash).getResultList()
                .stream().findFirst().map(String.class::cast);
    }

    /** Why saga_dispatch must refuse to start this definition here (a third party without URL); null: it may. */
    public void recordCannotStart(SagaDefinition d, String why) {
        em.createNativeQuery("""
                        update saga_definition set cannot_start = cast(?4 as text)
                        where name = ?1 and version = ?2 and hash = ?3""")
                .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash()).setParameter(4, why)
                .executeUpdate();
    }
}
