package dev.symbolon.admin.web;

import dev.symbolon.contracts.ProviderCatalogue;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A provider name of the provider catalogue, or {@code compat:<name>}; null passes (not restricted). */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = KnownProvider.Check.class)
public @interface KnownProvider {

    String message() default "unknown provider";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks a name against {@link ProviderCatalogue#isProvider}. */
    class Check implements ConstraintValidator<KnownProvider, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || ProviderCatalogue.isProvider(value);
        }
    }
}
