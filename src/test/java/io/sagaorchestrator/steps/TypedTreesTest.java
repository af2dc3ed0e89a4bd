package io.sagaorchestrator.steps;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.testsupport.CountingObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A run reads each tree of its saga into its record once, however many steps and descriptions read it. */
class TypedTreesTest {

    record Person(String name, String phone) {
    }

    record Other(String name, String phone) {
    }

    private final CountingObjectMapper json = new CountingObjectMapper();

    @Test
    void aTreeWrittenFromARecordGivesThatRecordBackWithoutDecoding() {
        // given: the input of a saga, made from the start's record
        Person started = new Person("Zhang San", "13800000000");
        JsonNode input = TypedTrees.write(started, json);

        // when: the intent's description, the call and a later step read it
        Person first = TypedTrees.read(input, Person.class, json);
        Person second = TypedTrees.read(input, Person.class, json);

        // then: each gets the start's record, and nothing was decoded
        assertSame(started, first);
        assertSame(started, second);
        assertEquals(0, json.treeToValue);
    }

    @Test
    void aTreeReadBackFromTheLogIsDecodedOncePerRun() {
        // given: an input as a resumed saga reads it from the log
        JsonNode input = json.createObjectNode().put("name", "Li Si").put("phone", "13900000000");

        // when: two steps read it
        Person first = TypedTrees.read(input, Person.class, json);
        Person second = TypedTrees.read(input, Person.class, json);

        // then: it was decoded once, and both see the same values
        assertEquals(new Person("Li Si", "13900000000"), first);
        assertSame(first, second);
        assertEquals(1, json.treeToValue);
    }

    @Test
    void aTreeReadAsAnotherRecordIsDecodedAsThatRecord() {
        JsonNode input = TypedTrees.write(new Person("Wang Wu", "13700000000"), json);

        assertEquals(new Other("Wang Wu", "13700000000"), TypedTrees.read(input, Other.class, json));
    }

    @Test
    void aTreeThatDoesNotFitTheRecordSaysWhy() {
        JsonNode input = json.createObjectNode().put("name", "x").put("age", 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypedTrees.read(input, Person.class, json));
        assertEquals(true, e.getMessage().contains("age"), e.getMessage());
    }
}
