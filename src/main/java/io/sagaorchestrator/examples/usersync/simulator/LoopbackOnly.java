package io.sagaorchestrator.examples.usersync.simulator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import jakarta.ws.rs.NameBinding;

/**
 * A resource only this machine may call ({@link LoopbackOnlyFilter}): any other client gets a bare 404, as if the resource were absent.
 * With {@code quarkus.http.proxy.proxy-address-forwarding} on, the forwarded client address is the one checked,
 * so a proxy on this machine does not open it to the world.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface LoopbackOnly {
}
