package dev.symbolon.admin.auth;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

@Configuration(proxyBeanMethods = false)
class PrincipalWebConfig implements WebFluxConfigurer {

    private final PrincipalArgumentResolver principals;

    PrincipalWebConfig(PrincipalArgumentResolver principals) {
        this.principals = principals;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(principals);
    }
}
