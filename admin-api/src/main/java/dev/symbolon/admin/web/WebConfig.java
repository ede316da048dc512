package dev.symbolon.admin.web;

import dev.symbolon.admin.auth.PrincipalArgumentResolver;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfig implements WebFluxConfigurer {

    private final PrincipalArgumentResolver principals;

    WebConfig(PrincipalArgumentResolver principals) {
        this.principals = principals;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(principals);
    }
}
