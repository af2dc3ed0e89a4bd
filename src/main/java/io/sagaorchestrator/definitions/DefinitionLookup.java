package io.sagaorchestrator.definitions;

/**
 * Finds the definition a saga was started on. The runtime's registry answers; the store reads through this to describe a
 * saga's steps to people, without depending on the runtime that keeps the definitions.
 */
public interface DefinitionLookup {

    /**
     * @throws RuntimeException when this release cannot run that version (its file or one of its actions is gone)
     */
    SagaDefinition forSaga(String name, int version, String hash);
}
