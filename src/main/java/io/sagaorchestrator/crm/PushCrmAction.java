package io.sagaorchestrator.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.actions.HttpFailures;
import io.sagaorchestrator.actions.RemoteAction;
import io.sagaorchestrator.actions.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@code pushCrm}: tells the CRM that a user changed. */
@ApplicationScoped
@Named("pushCrm")
public class PushCrmAction implements RemoteAction {

    private final CrmApi crm;
    private final ObjectMapper json;

    PushCrmAction(@RestClient CrmApi crm, ObjectMapper json) {
        this.crm = crm;
        this.json = json;
    }

    @Override
    public String thirdParty() {
        return "crm-api";
    }

    @Override
    public JsonNode execute(StepContext context) {
        long userId = context.input().path("user_id").asLong();
        try (Response answer = crm.push(context.idempotencyKey(), userId)) {
            return json.createObjectNode().put("httpStatus", answer.getStatus()).put("idempotencyKey", context.idempotencyKey());
        } catch (RuntimeException e) {
            throw HttpFailures.classify("pushCrm", e);
        }
    }

    @Override
    public JsonNode describeRequest(StepContext context) {
        return json.createObjectNode().put("method", "POST").put("path", "/users/" + context.input().path("user_id").asLong() + "/push")
                .put("idempotencyKey", context.idempotencyKey());
    }
}
