package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A definition's declared input: each keyword checks what it says, and a schema that cannot work stops the start. */
class InputSchemaTest {

    private static final KnownActions ACTIONS = NamedActions.SHIPPED;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STEPS = """
            steps:
              - name: save
                type: local
                action: saveLiaison
            """;
    private static final String CHECKOUT = """
            name: order-checkout
            version: 1
            input:
              sku: { type: string, required: true, pattern: "[A-Z0-9-]{3,32}" }
              quantity: { type: integer, required: true, minimum: 1, maximum: 100 }
              price: { type: number, minimum: 0.01 }
              currency: { type: string, enum: [EUR, USD] }
              gift: { type: boolean }
              address: { type: object }
              note: { type: string, maxLength: 5 }
              buyer: { type: string, text: name }
            businessKey: sku
            startRoles: [shop, saga-operator]
            """ + STEPS;

    private final DefinitionParser parser = new DefinitionParser(ACTIONS);

    private List<InputSchema.Violation> violationsOf(String body) throws Exception {
        return parser.parse("checkout.yaml", CHECKOUT).httpStart().input().validate(JSON.readTree(body));
    }

    private String faultOf(String top) {
        return assertThrows(InvalidDefinitionException.class,
                () -> parser.parse("bad.yaml", "name: bad\nversion: 1\n" + top + STEPS)).getMessage();
    }

    @Test
    void aDeclaredInputReadsAsWritten() {
        // when a definition with input, businessKey and startRoles is read
        HttpStart start = parser.parse("checkout.yaml", CHECKOUT).httpStart();

        // then its fields keep their order and keywords, and the key and roles are kept
        assertEquals(List.of("sku", "quantity", "price", "currency", "gift", "address", "note", "buyer"),
                List.copyOf(start.input().fields().keySet()));
        assertEquals("sku", start.businessKey());
        assertEquals(List.of("shop", "saga-operator"), start.roles());
        assertEquals(List.of("EUR", "USD"), start.input().fields().get("currency").allowed());
    }

    @Test
    void withoutInputADefinitionHasNoHttpStart() {
        assertNull(parser.parse("plain.yaml", "name: plain\nversion: 1\n" + STEPS).httpStart());
    }

    @Test
    void startRolesDefaultToSagaClient() {
        HttpStart start = parser.parse("d.yaml", "name: d\nversion: 1\ninput: {}\n" + STEPS).httpStart();
        assertEquals(List.of("saga-client"), start.roles());
        assertNull(start.businessKey());
    }

    @Test
    void aValidBodyHasNoViolationAndGivesItsBusinessKey() throws Exception {
        // given a body with every field right (note: 5 characters, one of them outside the BMP)
        String body = """
                {"sku": "AB-12", "quantity": 100, "price": 0.01, "currency": "EUR", "gift": false,
                 "address": {"city": "Lyon"}, "note": "a\\nb\\t\\ud83d\\ude00", "buyer": "Zoé"}""";

        // then nothing is wrong, and the business key is the sku
        assertEquals(List.of(), violationsOf(body));
        assertEquals("AB-12", parser.parse("checkout.yaml", CHECKOUT).httpStart().businessKeyOf(JSON.readTree(body)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"quantity": 1}                                   | sku      | is required
            {"sku": "  ", "quantity": 1}                      | sku      | is required
            {"sku": null, "quantity": 1}                      | sku      | is required
            {"sku": 12345, "quantity": 1}                     | sku      | must be a string
            {"sku": "ab", "quantity": 1}                      | sku      | must match "[A-Z0-9-]{3,32}"
            {"sku": "AB-12 ", "quantity": 1}                  | sku      | must match
            {"sku": "AB-12"}                                  | quantity | is required
            {"sku": "AB-12", "quantity": "3"}                 | quantity | must be an integer
            {"sku": "AB-12", "quantity": 2.5}                 | quantity | must be an integer
            {"sku": "AB-12", "quantity": 99999999999999999999} | quantity | must be an integer
            {"sku": "AB-12", "quantity": 0}                   | quantity | must be at least 1
            {"sku": "AB-12", "quantity": 101}                 | quantity | must be at most 100
            {"sku": "AB-12", "quantity": 1, "price": "1"}     | price    | must be a number
            {"sku": "AB-12", "quantity": 1, "price": 0.001}   | price    | must be at least 0.01
            {"sku": "AB-12", "quantity": 1, "currency": "eur"} | currency | must be one of EUR, USD
            {"sku": "AB-12", "quantity": 1, "gift": "yes"}    | gift     | must be true or false
            {"sku": "AB-12", "quantity": 1, "address": "x"}   | address  | must be a JSON object
            {"sku": "AB-12", "quantity": 1, "note": "abcdef"} | note     | must be at most 5 characters
            {"sku": "AB-12", "quantity": 1, "note": "a\\u0000"} | note   | must not contain U+0000
            {"sku": "AB-12", "quantity": 1, "note": "a\\u202e"} | note   | must not contain U+202E
            {"sku": "AB-12", "quantity": 1, "note": "a\\ud800"} | note   | must not contain U+D800
            {"sku": "AB-12", "quantity": 1, "buyer": "a\\nb"}  | buyer    | must not contain U+000A
            {"sku": "AB-12", "quantity": 1, "buyer": "a\\u200bb"} | buyer | must not contain U+200B
            {"sku": "AB-12", "quantity": 1, "colour": "red"}  | colour   | is not an input of this saga
            """)
    void eachKeywordRefusesWhatItExcludesNamingTheField(String body, String field, String message) throws Exception {
        // when a body breaks one keyword
        List<InputSchema.Violation> violations = violationsOf(body);

        // then exactly that field is named, with what is wrong
        assertEquals(1, violations.size(), violations.toString());
        assertEquals(field, violations.get(0).field());
        assertThat(violations.get(0).message(), containsString(message));
    }

    @Test
    void everyFieldInFaultIsNamedInFieldOrder() throws Exception {
        List<InputSchema.Violation> violations = violationsOf("{\"quantity\": 0, \"typo\": 1}");
        assertEquals(List.of("quantity", "sku", "typo"), violations.stream().map(InputSchema.Violation::field).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            []           | must be a JSON object
            "text"       | must be a JSON object
            null         | is required
            """)
    void aBodyThatIsNoObjectIsRefusedAsAWhole(String body, String message) throws Exception {
        assertEquals(List.of(new InputSchema.Violation("body", message)), violationsOf(body));
    }

    @Test
    void aMissingBodyIsRequired() {
        HttpStart start = parser.parse("checkout.yaml", CHECKOUT).httpStart();
        assertEquals(List.of(new InputSchema.Violation("body", "is required")), start.input().validate(JSON.missingNode()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            input: { a: { type: text } }                          | input.a      | type 'text' is not one of string, integer, number, boolean, object
            input: { a: { required: true } }                      | input.a      | 'type' is missing
            input: { a: { type: string, pattern: '[a-' } }        | input.a      | pattern '[a-' is not a regular expression
            input: { a: { type: integer, pattern: '\\d+' } }      | input.a      | pattern applies to string fields, not to integer
            input: { a: { type: string, minimum: 1 } }            | input.a      | minimum applies to integer or number fields, not to string
            input: { a: { type: integer, maxLength: 3 } }         | input.a      | maxLength applies to string fields
            input: { a: { type: boolean, enum: [x] } }            | input.a      | enum applies to string fields
            input: { a: { type: object, text: name } }            | input.a      | text applies to string fields
            input: { a: { type: string, text: html } }            | input.a      | text 'html' is neither 'message' nor 'name'
            input: { a: { type: string, maxLength: 0 } }          | input.a      | maxLength must be at least 1
            input: { a: { type: integer, minimum: 5, maximum: 1 } } | input.a    | minimum 5 is above maximum 1
            input: { a: { type: string, enum: [] } }              | input.a      | enum is empty
            input: { a: }                                         | input.a      | declares nothing
            input: { a: { type: string, maxlength: 3 } }          | line 3       | maxlength
            input: { a: { type: string }, a: { type: integer } }  | line 3       | Duplicate field 'a'
            input: { a: { type: string } }\\nbusinessKey: b       | businessKey  | businessKey 'b' is not a field of input (fields: a)
            input: { a: { type: object } }\\nbusinessKey: a       | businessKey  | a business key is a string or an integer field
            input: { a: { type: string } }\\nstartRoles: []       | startRoles   | startRoles must name at least one role
            businessKey: a                                        | businessKey  | needs an 'input' block
            startRoles: [saga-client]                             | startRoles   | needs an 'input' block
            """)
    void anInputThatCannotWorkIsRefusedWithItsPlace(String top, String place, String fault) {
        // when a definition declares an input that cannot work
        String message = faultOf(top.replace("\\n", "\n") + "\n");

        // then the start is refused naming the file, the place and the fault
        assertThat(message, containsString("bad.yaml"));
        assertThat(message, containsString(place));
        assertThat(message, containsString(fault));
    }

    @Test
    void theShippedSmsAndCrmDefinitionsDeclareTheirInput() throws Exception {
        KnownActions outbox = NamedActions.NONE;
        DefinitionParser shipped = new DefinitionParser(outbox);
        HttpStart sms = shipped.parse("send-sms.yaml", java.nio.file.Files.readString(java.nio.file.Path.of("saga-definitions/send-sms.yaml")))
                .httpStart();
        HttpStart crm = shipped.parse("push-crm.yaml", java.nio.file.Files.readString(java.nio.file.Path.of("saga-definitions/push-crm.yaml")))
                .httpStart();
        assertEquals("13800000000", sms.businessKeyOf(JSON.readTree("{\"phone\":\"13800000000\",\"content\":\"hi\"}")));
        assertEquals("42", crm.businessKeyOf(JSON.readTree("{\"user_id\":42}")));
        assertTrue(crm.input().validate(JSON.readTree("{\"user_id\":0}")).stream().anyMatch(v -> v.field().equals("user_id")));
    }
}
