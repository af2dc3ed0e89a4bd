package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * send-sms and push-crm are started by the generic endpoint now that they are pure YAML: their declared inputs refuse
 * every body their Java endpoints refused, naming the same fields, and more where Jackson was lenient (an unknown
 * field, a number as text or with a fraction); nothing is written for any of them.
 */
@QuarkusTest
class ShippedOutboxStartsRefuseBadBodiesTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            send-sms | {"content":"hi"}                                    | phone
            send-sms | {"phone":"  ","content":"hi"}                       | phone
            send-sms | {"phone":"12345","content":"hi"}                    | phone
            send-sms | {"phone":"2380000000x","content":"hi"}              | phone
            send-sms | {"phone":"13800000000"}                             | content
            send-sms | {"phone":"13800000000","content":" "}               | content
            send-sms | {"phone":"13800000000","content":"a\\u0000b"}       | content
            send-sms | {"phone":"13800000000","content":"a\\u0085b"}       | content
            send-sms | {"phone":"13800000000","content":"a\\u202eb"}       | content
            send-sms | {"phone":"13800000000","content":"a\\ud800b"}       | content
            send-sms | {}                                                  | content phone
            send-sms | {"phone":"13800000000","content":"hi","contnet":"x"} | contnet
            push-crm | {}                                                  | user_id
            push-crm | {"user_id":null}                                    | user_id
            push-crm | {"user_id":0}                                       | user_id
            push-crm | {"user_id":-3}                                      | user_id
            push-crm | {"user_id":"42"}                                    | user_id
            push-crm | {"user_id":42.7}                                    | user_id
            push-crm | {"user_id":42,"user":"x"}                           | user
            """)
    void aBadBodyIsRefusedNamingItsFieldsAndWritesNothing(String definition, String body, String fields) {
        // given the sagas so far
        long before = count("select count(*) from saga");

        // when the body is sent to the definition's start
        List<String> named = as("client").contentType("application/json").body(body).post("/api/sagas/" + definition + "?wait=0")
                .then().statusCode(400).contentType("application/problem+json").extract().jsonPath().getList("violations.field");

        // then the answer names exactly the faulty fields, and no saga was written
        assertEquals(Set.of(fields.split(" ")), new TreeSet<>(named));
        assertEquals(before, count("select count(*) from saga"));
    }
}
