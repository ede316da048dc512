package dev.symbolon.support.auth;

import dev.symbolon.contracts.Secret;
import java.util.Objects;

/**
 * The token Symbolon services present to each other's {@code /internal/**} APIs. A service that
 * declares this bean gets {@link ServiceTokenFilter} guarding its internal routes.
 */
public record ServiceToken(Secret value) {

    public ServiceToken {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the service token must not be empty");
        }
    }

    public boolean matches(String candidate) {
        return value.matches(candidate);
    }
}
