package io.sagaorchestrator.examples.usersync.simulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Answers a bare 404 to a request for a {@link LoopbackOnly} resource from another machine. */
public class LoopbackOnlyFilter {

    @LoopbackOnly
    @ServerRequestFilter
    public Optional<Response> refuseOtherMachines(HttpServerRequest request) {
        return fromThisMachine(request.remoteAddress()) ? Optional.empty() : Optional.of(Response.status(Response.Status.NOT_FOUND).build());
    }

    static boolean fromThisMachine(SocketAddress client) {
        if (client == null || client.hostAddress() == null || client.hostAddress().isEmpty()) {
            return false;
        }
        try {
            // an IP literal: nothing is looked up
            return InetAddress.getByName(client.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
