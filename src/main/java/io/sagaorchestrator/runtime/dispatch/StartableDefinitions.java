package io.sagaorchestrator.runtime.dispatch;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.runtime.ThirdPartyNotConfiguredException;
import io.sagaorchestrator.runtime.ThirdPartyUrls;
import io.sagaorchestrator.store.DefinitionRows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Tells saga_dispatch which definitions this instance cannot start (a third party without URL): it refuses them in
 * the application's transaction, as the HTTP start refuses them, instead of committing a saga that could only wait
 * for a configuration. The instance that started last has the say, as for which definitions are current.
 */
@ApplicationScoped
class StartableDefinitions {

    private final DefinitionRegistry definitions;
    private final ThirdPartyUrls thirdPartyUrls;
    private final DefinitionRows rows;

    StartableDefinitions(DefinitionRegistry definitions, ThirdPartyUrls thirdPartyUrls, DefinitionRows rows) {
        this.definitions = definitions;
        this.thirdPartyUrls = thirdPartyUrls;
        this.rows = rows;
    }

    void record(@Observes StartupEvent started) {
        QuarkusTransaction.requiringNew().run(() -> definitions.all().forEach(d -> rows.recordCannotStart(d, whyNot(d))));
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
