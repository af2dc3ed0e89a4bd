package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A step's {@code when:}: a CEL expression over the saga's {@code input} and the outputs of the steps before it
 * ({@code steps['reserve-stock'].output.id}), compiled and type-checked when the definition is read. CEL has no side
 * effects, no clock and no I/O, so the value a condition had is the value it would have again on the same log; the core
 * records it all the same, and the saga's later course (compensation, recovery, re-plan) reads the record.
 */
public final class Condition {

    private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("input", SimpleType.DYN).addVar("steps", SimpleType.DYN)
            .setResultType(SimpleType.BOOL).build();
    /** A refusal ({@code rejectWhen:} of an await) also reads the signal's payload, as {@code signal}. */
    private static final CelCompiler SIGNAL_COMPILER = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("input", SimpleType.DYN).addVar("steps", SimpleType.DYN).addVar("signal", SimpleType.DYN)
            .setResultType(SimpleType.BOOL).build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final String text;
    private final CelRuntime.Program program;
    /** The value the condition is taken to have, for walking a definition's paths without a saga; null: evaluated. */
    private final Boolean assumed;

    private Condition(String text, CelRuntime.Program program, Boolean assumed) {
        this.text = text;
        this.program = program;
        this.assumed = assumed;
    }

    /** @throws IllegalArgumentException naming what CEL finds wrong, and where in the expression */
    public static Condition parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("when: is empty; write a CEL expression, e.g. input.amount > 0");
        }
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(text).getAst();
            return new Condition(text.strip(), RUNTIME.createProgram(ast), null);
        } catch (CelValidationException e) {
            // the first line says what and where (when:line:column); the next ones draw the place, for a terminal
            throw new IllegalArgumentException("when: '" + text.strip() + "' is not a CEL condition over input and steps: "
                    + e.getMessage().lines().findFirst().orElse("").replace("<input>", "when"));
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException("when: '" + text.strip() + "' cannot be prepared: " + e.getMessage());
        }
    }

    /**
     * An await's {@code rejectWhen:}, over {@code signal} (the payload), {@code input} and {@code steps}; written bare or
     * as {@code ${...}}, as the issue's example does.
     *
     * @throws IllegalArgumentException naming what CEL finds wrong, and where in the expression
     */
    public static Condition parseRejectWhen(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("rejectWhen: is empty; write a CEL expression, e.g. signal.approved == false");
        }
        String bare = text.strip();
        if (bare.startsWith("${") && bare.endsWith("}")) {
            bare = bare.substring(2, bare.length() - 1).strip();
        }
        try {
            CelAbstractSyntaxTree ast = SIGNAL_COMPILER.compile(bare).getAst();
            return new Condition(bare, RUNTIME.createProgram(ast), null);
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("rejectWhen: '" + bare + "' is not a CEL condition over signal, input and steps: "
                    + e.getMessage().lines().findFirst().orElse("").replace("<input>", "rejectWhen"));
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException("rejectWhen: '" + bare + "' cannot be prepared: " + e.getMessage());
        }
    }

    /**
     * Whether a signal with this payload is a refusal.
     *
     * @throws IllegalStateException when it cannot be told
     */
    public boolean holds(JsonNode input, Map<String, JsonNode> outputs, JsonNode signal) {
        if (assumed != null) {
            return assumed;
        }
        Map<String, Object> steps = new LinkedHashMap<>();
        outputs.forEach((step, output) -> steps.put(step, Map.of("output", value(output))));
        try {
            Object result = program.eval(Map.of("input", value(input), "steps", steps, "signal", value(signal)));
            if (!(result instanceof Boolean b)) {
                throw new IllegalStateException("rejectWhen: '" + text + "' gave " + result + ", not true or false");
            }
            return b;
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("rejectWhen: '" + text + "' cannot be evaluated: " + e.getMessage()
                    .replace("<input>", "rejectWhen"), e);
        }
    }

    /** This condition, taken to be {@code value} whatever the saga holds: for walking the paths of a definition. */
    public Condition assuming(boolean value) {
        return new Condition(text, program, value);
    }

    public String text() {
        return text;
    }

    /**
     * Whether the step runs, given the saga's input and the outputs recorded so far (by step name).
     *
     * @throws IllegalStateException when it cannot be told (a field the input lacks, a comparison of unlike values)
     */
    public boolean holds(JsonNode input, Map<String, JsonNode> outputs) {
        if (assumed != null) {
            return assumed;
        }
        Map<String, Object> steps = new LinkedHashMap<>();
        outputs.forEach((step, output) -> steps.put(step, Map.of("output", value(output))));
        try {
            Object result = program.eval(Map.of("input", value(input), "steps", steps));
            if (!(result instanceof Boolean b)) {
                throw new IllegalStateException("when: '" + text + "' gave " + result + ", not true or false");
            }
            return b;
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("when: '" + text + "' cannot be evaluated: " + e.getMessage()
                    .replace("<input>", "when"), e);
        }
    }

    /** A JSON value as CEL takes it: objects as maps, arrays as lists, whole numbers as long, others as double. */
    private static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> map.put(field.getKey(), value(field.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(value(item)));
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && text.equals(c.text) && Objects.equals(assumed, c.assumed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, assumed);
    }

    @Override
    public String toString() {
        return text;
    }
}
