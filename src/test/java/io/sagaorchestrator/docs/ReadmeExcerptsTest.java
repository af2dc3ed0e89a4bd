package io.sagaorchestrator.docs;

import io.sagaorchestrator.check.CheckCommand;
import io.sagaorchestrator.definitions.NamedActions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

    @Test
    void theReadmeShowsWhatCheckPrintsForUserSync() throws Exception {
        // given what check prints for the shipped definitions, and the README's table of user-sync
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckCommand.run(List.of("saga-definitions"), NamedActions.SHIPPED, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        Matcher printed = Pattern.compile("(?s)(user-sync v\\d+ .*?\n\n.*?)\n\n").matcher(out.toString(StandardCharsets.UTF_8));
        Matcher readme = Pattern.compile("(?s)```text\n(user-sync v.*?)\n```").matcher(Files.readString(Path.of("README.md")));

        // when both are read, then the README shows exactly what check prints
        assertTrue(printed.find() && readme.find(), "no user-sync table printed, or none in README.md");
        assertEquals(printed.group(1), readme.group(1));
    }
}
