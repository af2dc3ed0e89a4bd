package io.sagaorchestrator.web.security;

import io.quarkus.oidc.runtime.TenantConfigBean;
import io.quarkus.oidc.runtime.TenantConfigContext;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Not ready while an identity provider the configuration names cannot be reached. Quarkus starts anyway when the issuer
 * does not answer at start (it logs a warning and tries again on the next request that needs it), and every token and
 * provider sign-in is refused meanwhile: an instance in that state must not get the traffic of people and applications
 * who sign in there. Each check asks the provider again, so readiness returns once it answers. Tenants without an issuer
 * (off, or checking one fixed public key) are not asked.
 */
@Readiness
@ApplicationScoped
public class IdentityProviderHealthCheck implements AsyncHealthCheck {

    static final String NAME = "identity-provider";
    /** Readiness probes give up after a second or so: a provider that does not answer soon counts as unreachable. */
    static final Duration PATIENCE = Duration.ofSeconds(2);

    private final TenantConfigBean tenants;

    IdentityProviderHealthCheck(TenantConfigBean tenants) {
        this.tenants = tenants;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Map<String, TenantConfigContext> all = new TreeMap<>(tenants.getStaticTenantsConfig());
        all.put("default", tenants.getDefaultTenant());
        Map<String, Supplier<Uni<Boolean>>> issuers = new TreeMap<>();
        all.forEach((tenant, context) -> {
            if (context.oidcConfig().tenantEnabled() && context.oidcConfig().authServerUrl().isPresent()) {
                issuers.put(tenant + " (" + context.oidcConfig().authServerUrl().get() + ")",
                        () -> context.initialize().map(TenantConfigContext::ready));
            }
        });
        return report(issuers);
    }

    /** @param issuers per tenant (named with its issuer), whether its provider answers now */
    static Uni<HealthCheckResponse> report(Map<String, Supplier<Uni<Boolean>>> issuers) {
        if (issuers.isEmpty()) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("issuers", "none configured").build());
        }
        List<Uni<Map.Entry<String, Boolean>>> checks = issuers.entrySet().stream()
                .map(issuer -> Uni.createFrom().<Boolean>deferred(() -> issuer.getValue().get())
                        .ifNoItem().after(PATIENCE).recoverWithItem(false)
                        .onFailure().recoverWithItem(false)
                        .map(reached -> Map.entry(issuer.getKey(), Boolean.TRUE.equals(reached))))
                .toList();
        return Uni.join().all(checks).andFailFast().map(results -> {
            HealthCheckResponseBuilder answer = HealthCheckResponse.named(NAME).up();
            for (Map.Entry<String, Boolean> result : results) {
                answer.withData(result.getKey(), result.getValue() ? "reachable" : "not reachable: tokens and sign-ins there are refused");
                if (!result.getValue()) {
                    answer.down();
                }
            }
            return answer.build();
        });
    }
}
