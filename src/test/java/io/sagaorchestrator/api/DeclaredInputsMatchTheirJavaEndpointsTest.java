package io.sagaorchestrator.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.InputSchema;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The input blocks of send-sms.yaml and push-crm.yaml refuse every body their Java endpoints refuse, naming the same
 * fields, so the generic endpoint can replace SendSmsResource and PushCrmResource without accepting more.
 */
@QuarkusTest
class DeclaredInputsMatchTheirJavaEndpointsTest {

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            send-sms | {"content":"hi"}
            send-sms | {"phone":"  ","content":"hi"}
            send-sms | {"phone":"12345","content":"hi"}
            send-sms | {"phone":"2380000000x","content":"hi"}
            send-sms | {"phone":"13800000000"}
            send-sms | {"phone":"13800000000","content":" "}
            send-sms | {"phone":"13800000000","content":"a\\u0000b"}
            send-sms | {"phone":"13800000000","content":"a\\u0085b"}
            send-sms | {"phone":"13800000000","content":"a\\u202eb"}
            send-sms | {"phone":"13800000000","content":"a\\ud800b"}
            send-sms | {}
            push-crm | {}
            push-crm | {"user_id":null}
            push-crm | {"user_id":0}
            push-crm | {"user_id":-3}
            """)
    void theDeclaredInputRefusesWhatTheJavaEndpointRefusesNamingTheSameFields(String definition, String body) throws Exception {
        // when the Java endpoint checks the body (bean validation on SendSmsRequest / PushCrmRequest)
        List<String> javaFields = as("client").contentType("application/json").body(body).post("/api/sagas/" + definition + "?wait=0")
                .then().statusCode(400).extract().jsonPath().getList("violations.field");

        // then the definition's declared input refuses it too, naming the same fields (PushCrmRequest names its Java
        // component userId where the body says user_id; the declared input names what the client sent)
        List<InputSchema.Violation> declared = definitions.current(definition).orElseThrow().httpStart().input().validate(json.readTree(body));
        Set<String> javaNamed = new TreeSet<>(javaFields.stream().map(f -> f.equals("userId") ? "user_id" : f).toList());
        assertEquals(javaNamed, fields(declared), declared.toString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            send-sms | {"phone":"13800000000","content":"hi","contnet":"typo"}
            push-crm | {"user_id":"42"}
            push-crm | {"user_id":42.7}
            push-crm | {"user_id":42,"user":"x"}
            """)
    void theDeclaredInputIsStricterWhereJacksonWasLenient(String definition, String body) throws Exception {
        // a field the request does not know, or a number as text or with a fraction, passes the Java endpoint's binding
        // (Jackson ignores unknown fields and coerces scalars); the declared input refuses it
        assertFalse(definitions.current(definition).orElseThrow().httpStart().input().validate(json.readTree(body)).isEmpty());
    }

    private static Set<String> fields(List<InputSchema.Violation> violations) {
        return new TreeSet<>(violations.stream().map(InputSchema.Violation::field).toList());
    }
}
