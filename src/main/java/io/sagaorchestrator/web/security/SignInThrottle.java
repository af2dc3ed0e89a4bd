package io.sagaorchestrator.web.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;

/**
 * Counts failed password sign-ins per name and per client address, in this instance's memory: a fixed window
 * opens with the first failure, and once a name or an address reached its limit its sign-ins are refused until
 * the window ends. Bounded ({@code saga.sign-in.tracked} entries each), so made-up names cannot exhaust memory.
 */
@ApplicationScoped
public class SignInThrottle {

    /** Longer names are cut: no configured user has one, and it keeps every entry small. */
    private static final int NAME_KEY_LENGTH = 256;

    /** One password sign-in: who tried, from where. */
    public record Attempt(String user, String address) {
        public Attempt {
            user = user.length() > NAME_KEY_LENGTH ? user.substring(0, NAME_KEY_LENGTH) : user;
        }
    }

    private record Failures(int count, long windowStartNanos) {
    }

    private final SignInConfig config;
    private final long windowNanos;
    private final Cache<String, Failures> byUser;
    private final Cache<String, Failures> byAddress;

    SignInThrottle(SignInConfig config) {
        this.config = config;
        this.windowNanos = config.window().toNanos();
        this.byUser = cache(config);
        this.byAddress = cache(config);
    }

    /** How long this attempt must wait, if its name or its address used up its failures. */
    public Optional<Duration> refusal(Attempt attempt) {
        long now = System.nanoTime();
        long wait = Math.max(waitNanos(byUser.getIfPresent(attempt.user()), config.maxFailuresPerUser(), now),
                waitNanos(byAddress.getIfPresent(attempt.address()), config.maxFailuresPerAddress(), now));
        return wait > 0 ? Optional.of(Duration.ofNanos(wait)) : Optional.empty();
    }

    public void failed(Attempt attempt) {
        count(byUser, attempt.user());
        count(byAddress, attempt.address());
    }

    /** The name proved itself: its earlier failures were typos. The address keeps its count (one good account must
     * not clear the way for guessing others). */
    public void succeeded(Attempt attempt) {
        byUser.invalidate(attempt.user());
    }

    private long waitNanos(Failures failures, int max, long now) {
        if (failures == null || failures.count() < max) {
            return 0;
        }
        return failures.windowStartNanos() + windowNanos - now;
    }

    private void count(Cache<String, Failures> cache, String key) {
        long now = System.nanoTime();
        cache.asMap().merge(key, new Failures(1, now), (earlier, first) -> now - earlier.windowStartNanos() < windowNanos
                ? new Failures(earlier.count() + 1, earlier.windowStartNanos())
                : first);
    }

    private static Cache<String, Failures> cache(SignInConfig config) {
        // every failure is a write, so an entry outlives the window it counts
        return Caffeine.newBuilder().maximumSize(config.tracked()).expireAfterWrite(config.window()).build();
    }
}
