package io.sagaorchestrator.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the docs quote of a shipped file says what the file says. */
class ReadmeExcerptsTest {

    @Test
    void theUserSyncExcerptHasTheVersionOfTheShippedDefinition() throws Exception {
        // given the shipped user-sync definition and the excerpt of it in docs/writing-sagas.md
        Matcher file = Pattern.compile("(?m)^version: (\\d+)$").matcher(Files.readString(Path.of("saga-definitions/user-sync.yaml")));
        Matcher excerpt = Pattern.compile("```yaml\nname: user-sync\nversion: (\\d+)\n").matcher(Files.readString(Path.of("docs/writing-sagas.md")));

        // when both are read, then the versions are the same
        assertTrue(file.find() && excerpt.find(), "no version found in the file or in the excerpt of docs/writing-sagas.md");
        assertEquals(file.group(1), excerpt.group(1));
    }
}
