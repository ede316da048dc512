package dev.symbolon.support;

import dev.symbolon.support.auth.ServiceToken;
import dev.symbolon.support.auth.ServiceTokenFilter;
import dev.symbolon.support.web.CanonicalPathFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * What every reactive Symbolon service gets by depending on service-support: canonical request
 * paths before anything else, and the service token on {@code /internal/**} once the service
 * declares its {@link ServiceToken}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class SupportAutoConfiguration {

    @Bean
    CanonicalPathFilter canonicalPathFilter() {
        return new CanonicalPathFilter();
    }

    @Bean
    @ConditionalOnBean(ServiceToken.class)
    ServiceTokenFilter serviceTokenFilter(ServiceToken token) {
        return new ServiceTokenFilter(token);
    }
}
