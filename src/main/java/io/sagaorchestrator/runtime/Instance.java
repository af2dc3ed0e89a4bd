package io.sagaorchestrator.runtime;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** The name this process goes by in the saga log, unique per run so a restarted process is a new owner. */
@ApplicationScoped
public class Instance {

    private final String id;

    Instance(EngineConfig config) {
        this.id = config.instanceId().orElseGet(Instance::generated);
    }

    public String id() {
        return id;
    }

    private static String generated() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
