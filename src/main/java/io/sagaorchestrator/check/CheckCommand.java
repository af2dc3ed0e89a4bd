package io.sagaorchestrator.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.DefinitionFiles;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.KnownActions;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar quarkus-run.jar check [DIR] [--json]}: every failure point of the definitions in {@code DIR} (default
 * {@code saga-definitions} where there is one, else the definitions the jar ships), what the engine does at each, and the lints, without a database or a network, so that it
 * can run in a user's own CI. Exit code 0 when every definition is sound, 1 when one is refused or has a lint, 2 when
 * the command itself is wrong.
 */
public final class CheckCommand {

    public static final int SOUND = 0;
    public static final int FAULTS = 1;
    public static final int USAGE = 2;
    static final String DEFAULT_DIR = "saga-definitions";

    /** The whole answer of one check, as {@code --json} prints it. */
    public record Result(String directory, List<DefinitionReport> definitions, List<Lint> refused) {

        public boolean sound() {
            return refused.isEmpty() && definitions.stream().allMatch(d -> d.lints().isEmpty());
        }
    }

    private CheckCommand() {
    }

    public static int run(List<String> args, KnownActions actions, PrintStream out, PrintStream err) {
        boolean json = args.contains("--json");
        List<String> dirs = args.stream().filter(a -> !a.equals("--json")).toList();
        if (dirs.size() > 1 || dirs.stream().anyMatch(a -> a.startsWith("-"))) {
            err.println("usage: check [DIR] [--json]   (DIR: the definitions' directory; default " + DEFAULT_DIR
                    + " where there is one, else the definitions the jar ships)");
            return USAGE;
        }
        // without a directory: the project's, where there is one, else those the jar ships (as in a container)
        Optional<String> dir = dirs.isEmpty()
                ? Optional.of(DEFAULT_DIR).filter(d -> Files.isDirectory(Path.of(d))) : Optional.of(dirs.get(0));
        if (dir.isPresent() && !Files.isDirectory(Path.of(dir.get()))) {
            err.println("check: " + dir.get() + " is not a directory of saga definitions (give it as: check DIR)");
            return USAGE;
        }
        Result result = check(dir, actions);
        if (json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            print(result, out);
        }
        return result.sound() ? SOUND : FAULTS;
    }

    /**
     * Reads and checks every definition of {@code dir} (the jar's when empty) and its {@code examples/}; a refused one
     * is reported, not thrown.
     */
    public static Result check(Optional<String> dir, KnownActions actions) {
        DefinitionParser parser = new DefinitionParser(actions);
        List<DefinitionReport> reports = new ArrayList<>();
        List<Lint> refused = new ArrayList<>();
        DefinitionFiles files = new DefinitionFiles(dir, true);
        for (Map.Entry<String, String> file : files.read().entrySet()) {
            String name = dir.map(d -> Path.of(d, file.getKey()).toString()).orElse(file.getKey());
            try {
                reports.add(DefinitionReport.of(name, parser.parse(name, file.getValue())));
            } catch (InvalidDefinitionException e) {
                refused.add(Lints.invalid(e));
            }
        }
        return new Result(files.source(), reports, refused);
    }

    private static void print(Result result, PrintStream out) {
        int points = 0;
        int lints = result.refused().size();
        for (DefinitionReport report : result.definitions()) {
            out.println(report.name() + " v" + report.version() + " (" + report.file() + "): "
                    + report.failurePoints().size() + " failure points");
            out.println();
            printTable(report.failurePoints(), out);
            out.println();
            report.lints().forEach(l -> out.println("error: " + l.text()));
            points += report.failurePoints().size();
            lints += report.lints().size();
        }
        result.refused().forEach(l -> out.println("error: " + l.text()));
        out.println(result.definitions().size() + " definitions checked, " + points + " failure points, "
                + (lints == 0 ? "no errors" : lints + (lints == 1 ? " error" : " errors")));
    }

    /** A table for people: step, failure, end, and the path one line per turn below the first. */
    private static void printTable(List<FailurePoint> points, PrintStream out) {
        int step = "STEP".length();
        int failure = "FAILURE".length();
        int end = "END".length();
        for (FailurePoint p : points) {
            step = Math.max(step, p.step().length());
            failure = Math.max(failure, p.failure().label().length());
            end = Math.max(end, p.end().name().length());
        }
        String row = "  %-" + step + "s  %-" + failure + "s  %-" + end + "s  %s%n";
        out.printf(row, "STEP", "FAILURE", "END", "WHAT THE ENGINE DOES");
        for (FailurePoint p : points) {
            List<String> lines = new ArrayList<>();
            if (p.trigger() != null) {
                lines.add("(when " + p.trigger() + ")");
            }
            lines.addAll(p.path());
            if (p.end() == SagaStatus.ESCALATED) {
                lines.add("escalated: " + p.reason());
            }
            for (int i = 0; i < lines.size(); i++) {
                out.printf(row, i == 0 ? p.step() : "", i == 0 ? p.failure().label() : "", i == 0 ? p.end().name() : "",
                        lines.get(i));
            }
        }
    }
}
