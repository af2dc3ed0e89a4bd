package io.sagaorchestrator.dispatch;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.engine.ThirdPartyNotConfiguredException;
import io.sagaorchestrator.engine.ThirdPartyUrls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

/**
 * Tells saga_dispatch which definitions this instance cannot start (a third party without URL): it refuses them in
 * the application's transaction, as the HTTP start refuses them, instead of committing a saga that could only wait
 * for a configuration. The instance that started last has the say, as for which definitions are current.
 */
@ApplicationScoped
class StartableDefinitions {

    private final DefinitionRegistry definitions;
    private final ThirdPartyUrls thirdPartyUrls;
    private final EntityManager em;

    StartableDefinitions(DefinitionRegistry definitions, ThirdPartyUrls thirdPartyUrls, EntityManager em) {
        this.definitions = definitions;
        this.thirdPartyUrls = thirdPartyUrls;
        this.em = em;
    }

    void record(@Observes StartupEvent started) {
        QuarkusTransaction.requiringNew().run(() -> definitions.all().forEach(d ->
                em.createNativeQuery("update saga_definition set cannot_start = cast(?4 as text) where name = ?1 and version = ?2 and hash = ?3")
                        .setParameter(1, d.name()).setParameter(2, d.version()).setParameter(3, d.hash())
                        .setParameter(4, whyNot(d)).executeUpdate()));
    }

    private String whyNot(SagaDefinition d) {
        try {
            thirdPartyUrls.requireConfigured(d);
            return null;
        } catch (ThirdPartyNotConfiguredException e) {
            return e.getMessage();
        }
    }
}
