package dev.symbolon.admin;

import dev.symbolon.admin.auth.AdminPrincipal;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document, served at {@code /admin/openapi.json}. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static {
        // Injected from the authenticated request, not sent by clients.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(AdminPrincipal.class);
    }

    @Bean
    OpenAPI adminApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Symbolon admin API")
                        .version("v1")
                        .description("Tenants, apps, credentials, policies, IP rules, webhooks, admin keys and"
                                + " the audit log. Authenticate with a bearer token: the bootstrap token, an admin"
                                + " key (sym_admin_…) or a JWT from POST /admin/auth/token."))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
