package io.sagaorchestrator.web.security;

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

    /**
     * How long a password that verified is accepted again, without the realm's check, when its user sends the same one
     * (0s: every request is checked). The realms used here (configured users, a properties file) change only at a
     * restart, which forgets them all; with a realm that changes while running, a change reaches a signed-in client
     * at most this much later.
     */
    @WithDefault("30s")
    Duration rememberFor();
}
