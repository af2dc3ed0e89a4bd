package io.sagaorchestrator.check;

import java.util.Objects;

/**
 * Something in a definition that lets a saga of it break its promise in some failure: it fails {@code check}.
 *
 * @param file the definition's file, as {@code check} was given it
 * @param line where to look, from 1; 0 when it concerns the whole file
 * @param rule a stable name for the rule, to search the docs for
 * @param fix  how to mend it; null when the message says it all
 */
public record Lint(String file, int line, String rule, String message, String fix) {

    public Lint {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative, got " + line);
        }
    }

    /** As compilers print it, so that editors and CI logs link it: {@code file:line: rule: message}. */
    public String text() {
        return file + (line > 0 ? ":" + line : "") + ": " + rule + ": " + message + (fix == null ? "" : " Fix: " + fix);
    }
}
