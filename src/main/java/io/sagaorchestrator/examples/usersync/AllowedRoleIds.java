package io.sagaorchestrator.examples.usersync;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * TT role ids a client may ask for ({@code tt.allowed-role-ids}): a saga-client may create TT users, not give them
 * any role TT has (an administrator's, say).
 */
@Documented
@Constraint(validatedBy = AllowedRoleIds.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface AllowedRoleIds {

    String message() default "holds a role id that is not allowed";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    @ApplicationScoped
    class Validator implements ConstraintValidator<AllowedRoleIds, List<Integer>> {

        private final Set<Integer> allowed;

        Validator(@ConfigProperty(name = "tt.allowed-role-ids") List<Integer> allowed) {
            this.allowed = new TreeSet<>(allowed);
        }

        @Override
        public boolean isValid(List<Integer> roleIds, ConstraintValidatorContext context) {
            if (roleIds == null) {
                return true;
            }
            List<Integer> refused = roleIds.stream().filter(Objects::nonNull).filter(id -> !allowed.contains(id)).distinct().toList();
            if (refused.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("may only hold the role ids " + allowed + ", not " + refused)
                    .addConstraintViolation();
            return false;
        }
    }
}
