package io.sagaorchestrator.runtime;

import io.sagaorchestrator.steps.LocalAction;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.definitions.KnownActions;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.core.Direction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The action beans definitions may name, by their {@code @Named} name, and the actions of the calls they declare. */
@ApplicationScoped
public class ActionRegistry implements KnownActions {

    private final Map<String, RemoteAction> remote = new HashMap<>();
    private final Map<String, Class<?>> remoteClasses = new HashMap<>();
    private final Map<String, LocalAction> local = new HashMap<>();
    private final HttpSteps httpSteps;

    ActionRegistry(@Any Instance<RemoteAction> remoteBeans, @Any Instance<LocalAction> localBeans, HttpSteps httpSteps) {
        this.httpSteps = httpSteps;
        remoteBeans.handles().forEach(h -> {
            remote.put(nameOf(h.getBean()), h.get());
            remoteClasses.put(nameOf(h.getBean()), h.getBean().getBeanClass());
        });
        localBeans.handles().forEach(h -> local.put(nameOf(h.getBean()), h.get()));
    }

    private static String nameOf(jakarta.enterprise.inject.spi.Bean<?> bean) {
        if (bean.getName() == null) {
            throw new IllegalStateException("action bean " + bean.getBeanClass().getName()
                    + " has no @Named name: definitions refer to actions by name");
        }
        return bean.getName();
    }

    /** What a remote or outbox step does in a direction: the call it declares, or the action bean it names, or its check. */
    public RemoteAction remote(StepDefinition step, Direction direction) {
        if (direction == Direction.VERIFY) {
            if (step.verify() == null) {
                throw new IllegalArgumentException("step '" + step.name() + "' declares no check of its compensation");
            }
            return httpSteps.check(step.verify(), step.timeout());
        }
        HttpCall declared = direction == Direction.FORWARD ? step.http() : step.compensationHttp();
        if (declared != null) {
            return httpSteps.action(declared, direction == Direction.COMPENSATION, step.timeout());
        }
        return remote(direction == Direction.FORWARD ? step.action() : step.compensation());
    }

    private RemoteAction remote(String name) {
        RemoteAction action = remote.get(name);
        if (action == null) {
            throw new IllegalArgumentException("no remote action named '" + name + "'");
        }
        return action;
    }

    /** The class implementing a remote action, to inspect without creating the action (and the clients it injects). */
    public Class<?> remoteImplementation(String name) {
        Class<?> implementation = remoteClasses.get(name);
        if (implementation == null) {
            throw new IllegalArgumentException("no remote action named '" + name + "'");
        }
        return implementation;
    }

    public LocalAction local(StepDefinition step, Direction direction) {
        return local(direction == Direction.FORWARD ? step.action() : step.compensation());
    }

    private LocalAction local(String name) {
        LocalAction action = local.get(name);
        if (action == null) {
            throw new IllegalArgumentException("no local action named '" + name + "'");
        }
        return action;
    }

    /** The output fields the action bean of a step's forward action says its readers need; none for a declared call. */
    public Set<String> outputFields(StepDefinition step) {
        if (step.http() != null || step.await() != null) {
            // a declared call's readers are in the definition; an await's output is its signal's payload, checked by its schema
            return Set.of();
        }
        return step.kind().callsThirdParty() ? remote(step.action()).outputFields() : local(step.action()).outputFields();
    }

    @Override
    public Set<String> remoteActions() {
        return Set.copyOf(remote.keySet());
    }

    @Override
    public Set<String> localActions() {
        return Set.copyOf(local.keySet());
    }
}
