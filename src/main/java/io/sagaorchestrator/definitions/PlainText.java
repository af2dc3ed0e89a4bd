package io.sagaorchestrator.definitions;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

/**
 * Text a person typed, without the invisible characters that spoof or break it downstream: control characters
 * (Unicode Cc: NUL, which PostgreSQL cannot store, C1 controls such as U+0085) and unpaired surrogates everywhere.
 * A {@link Kind#NAME} (it becomes a TT username and is shown in the console) refuses every format character
 * (Cf: bidi overrides such as U+202E, zero-width characters such as U+200B, the soft hyphen). A {@link Kind#MESSAGE}
 * (prose such as an SMS) keeps line breaks and tabs, and the format characters writing needs (the zero-width joiners
 * of emoji and of Indic and Persian scripts, the marks of right-to-left text), but not the bidi embeddings, overrides
 * and isolates that reorder what a reader sees.
 */
@Documented
@Constraint(validatedBy = PlainText.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface PlainText {

    enum Kind { NAME, MESSAGE }

    Kind value() default Kind.NAME;

    String message() default "must not contain control or format characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<PlainText, String> {

        private Kind kind;

        @Override
        public void initialize(PlainText annotation) {
            kind = annotation.value();
        }

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            Optional<String> refusal = text == null ? Optional.empty() : refusal(text, kind);
            if (refusal.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(refusal.get()).addConstraintViolation();
            return false;
        }

        /** What is wrong with {@code text} as text of this kind, if anything: the declared inputs of definitions check it too. */
        public static Optional<String> refusal(String text, Kind kind) {
            int refused = text.codePoints().filter(c -> !allowed(c, kind)).findFirst().orElse(-1);
            if (refused < 0) {
                return Optional.empty();
            }
            // the code point in hex, never the character itself: it would be as invisible in the answer
            return Optional.of("must not contain U+" + String.format("%04X", refused) + " ("
                    + (kind == Kind.NAME ? "no control or format characters" : "no control characters but line breaks"
                    + " and tabs, no bidi overrides") + ")");
        }

        private static boolean allowed(int c, Kind kind) {
            return switch (Character.getType(c)) {
                case Character.CONTROL -> kind == Kind.MESSAGE && (c == '\n' || c == '\r' || c == '\t');
                case Character.SURROGATE -> false;
                case Character.FORMAT -> kind == Kind.MESSAGE && !bidiEmbeddingOverrideOrIsolate(c);
                default -> true;
            };
        }

        private static boolean bidiEmbeddingOverrideOrIsolate(int c) {
            return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
        }
    }
}
