package io.sagaorchestrator.sms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.actions.HttpFailures;
import io.sagaorchestrator.actions.RemoteAction;
import io.sagaorchestrator.actions.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@code sendSms}: hands the message to the SMS gateway, once per saga as far as the gateway de-duplicates. */
@ApplicationScoped
@Named("sendSms")
public class SendSmsAction implements RemoteAction {

    private final SmsApi sms;
    private final ObjectMapper json;

    SendSmsAction(@RestClient SmsApi sms, ObjectMapper json) {
        this.sms = sms;
        this.json = json;
    }

    @Override
    public String thirdParty() {
        return "sms-api";
    }

    @Override
    public JsonNode execute(StepContext context) {
        SmsApi.Message message = json.convertValue(context.input(), SmsApi.Message.class);
        try (Response answer = sms.send(context.idempotencyKey(), message)) {
            return json.createObjectNode().put("httpStatus", answer.getStatus()).put("idempotencyKey", context.idempotencyKey());
        } catch (RuntimeException e) {
            throw HttpFailures.classify("sendSms", e);
        }
    }

    @Override
    public JsonNode describeRequest(StepContext context) {
        return json.createObjectNode().put("method", "POST").put("path", "/messages").put("idempotencyKey", context.idempotencyKey())
                .set("body", context.input());
    }
}
