package io.sagaorchestrator.operator;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Routes are annotation constants: these keep them naming exactly the operations the enum declares. */
class OperationRoutesTest {

    @Test
    void thePlainRouteNamesEveryOperationThatNeedsOnlyAReason() {
        // given the operations that need only a reason; when their paths are joined; then the route pattern is that
        assertEquals(Operation.paths(Operation.plain()), Operation.PLAIN_PATHS);
    }

    @Test
    void theConsoleRouteNamesEveryOperation() {
        assertEquals(Operation.paths(List.of(Operation.values())), Operation.ALL_PATHS);
    }

    @Test
    void theBulkRefusalListsThePlainOperationsInWords() {
        List<String> paths = Operation.plain().stream().map(Operation::path).toList();
        String words = "must be " + paths.subList(0, paths.size() - 1).stream().collect(Collectors.joining(", "))
                + " or " + paths.get(paths.size() - 1);
        assertEquals(words, Operation.PLAIN_PATHS_IN_WORDS);
    }

    @Test
    void eachOperationIsFoundByTheNameItsRouteUses() {
        Arrays.stream(Operation.values()).forEach(o -> assertEquals(o, Operation.named(o.path()).orElseThrow()));
    }
}
