package io.sagaorchestrator.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How many failed password sign-ins are allowed before further ones are refused for a while. */
@ConfigMapping(prefix = "saga.sign-in")
public interface SignInConfig {

    /** Failed sign-ins of one name within a window; the next ones are refused until the window ends. */
    @WithDefault("5")
    int maxFailuresPerUser();

    /** Failed sign-ins from one client address within a window, whatever the names tried. */
    @WithDefault("20")
    int maxFailuresPerAddress();

    /** Counting starts with a name's (an address's) first failure and ends this long after it. */
    @WithDefault("5m")
    Duration window();

    /** How many names and how many addresses are remembered at most; the least used are forgotten first. */
    @WithDefault("10000")
    int tracked();
}
