package io.sagaorchestrator.sms;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * An SMS gateway: {@code POST /messages {"phone", "content"}}, any 2xx meaning accepted. Every
 * attempt carries the same {@code Idempotency-Key} (saga id and step), so a gateway that honours it
 * sends one SMS however often an attempt is repeated.
 */
@RegisterRestClient(configKey = "sms-api")
@Path("/messages")
public interface SmsApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Response send(@HeaderParam("Idempotency-Key") String idempotencyKey, Message message);

    record Message(String phone, String content) {
    }
}
