package io.sagaorchestrator.web.security;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dev mode has a single user signing in from a single address, so production's throttle (5 failures of a name lock it
 * for 5 minutes) locked its only user out after a few typos. The shipped application.properties, read as Quarkus reads
 * it for each profile (with Quarkus' duration converter), keeps production's limits and gives dev mode lenient ones.
 */
class SignInLimitsPerProfileTest {

    @Test
    void productionKeepsItsThrottle() throws IOException {
        // given the shipped configuration, read for production
        SignInConfig prod = signInConfig("prod");

        // then five failures of a name, or twenty from an address, lock sign-ins for five minutes
        assertEquals(5, prod.maxFailuresPerUser());
        assertEquals(20, prod.maxFailuresPerAddress());
        assertEquals(Duration.ofMinutes(5), prod.window());
    }

    @Test
    void devModeLetsItsOnlyUserMistypeWithoutBeingLockedOut() throws IOException {
        // given the shipped configuration, read for dev mode
        SignInConfig dev = signInConfig("dev");

        // then many typos in a row do not lock the demo user out, and a runaway script is held for seconds only
        assertTrue(dev.maxFailuresPerUser() >= 20, "failures of one name before 429: " + dev.maxFailuresPerUser());
        assertTrue(dev.maxFailuresPerAddress() >= dev.maxFailuresPerUser(), "the one address must not lock first");
        assertTrue(dev.window().compareTo(Duration.ofSeconds(30)) <= 0, "a lock lasts " + dev.window());
    }

    private static SignInConfig signInConfig(String profile) throws IOException {
        URL properties = SignInLimitsPerProfileTest.class.getClassLoader().getResource("application.properties");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withProfile(profile)
                .withSources(new PropertiesConfigSource(properties, 250))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(SignInConfig.class)
                .build();
        return config.getConfigMapping(SignInConfig.class);
    }
}
