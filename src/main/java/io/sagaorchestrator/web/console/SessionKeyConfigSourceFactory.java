package io.sagaorchestrator.web.console;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The console's sign-in cookie is encrypted with {@code quarkus.http.auth.session.encryption-key}. Without one,
 * Quarkus makes a temporary key and writes it into the log, where anybody who reads the log could use it to forge
 * a sign-in. The packaged service therefore makes its own temporary key when none is configured, and says so
 * without showing it. Configure the key (the same on every instance) so that sign-ins survive restarts and work
 * on every instance behind a load balancer.
 */
public final class SessionKeyConfigSourceFactory implements ConfigSourceFactory {

    static final String KEY = "quarkus.http.auth.session.encryption-key";
    /** Below application.properties (250), the environment (300) and system properties (400): a configured key wins. */
    static final int ORDINAL = 100;

    private static final Logger LOG = Logger.getLogger(SessionKeyConfigSourceFactory.class);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        // only the packaged service at run time: dev mode keeps Quarkus's key across its restarts, tests need none
        if (ExecutionMode.current() != ExecutionMode.RUNTIME_INIT
                || context.getProfiles().contains("dev") || context.getProfiles().contains("test")) {
            return List.of();
        }
        String configured = context.getValue(KEY).getValue();
        if (configured != null && !configured.isBlank()) {
            return List.of();
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        LOG.infof("No %s configured: console sign-ins use a key made at start-up, so they end when the service restarts"
                + " and are not accepted by other instances. Set it (at least 16 characters, the same on every instance)"
                + " to keep them", KEY);
        return List.of(new PropertiesConfigSource(Map.of(KEY, Base64.getEncoder().encodeToString(key)),
                "console session key", ORDINAL));
    }
}
