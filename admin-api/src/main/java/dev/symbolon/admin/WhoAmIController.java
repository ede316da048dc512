package dev.symbolon.admin;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Tells an admin client whether its credential is accepted and with which role. */
@RestController
class WhoAmIController {

    private static final String BEARER = "Bearer ";

    private final AdminProperties properties;

    WhoAmIController(AdminProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/admin/whoami")
    Identity whoami(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        String token = authorization != null && authorization.startsWith(BEARER)
                ? authorization.substring(BEARER.length())
                : null;
        if (!properties.bootstrapToken().matches(token)) {
            throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a valid admin token is required");
        }
        return new Identity("bootstrap", "platform-admin");
    }

    record Identity(String subject, String role) {}
}
