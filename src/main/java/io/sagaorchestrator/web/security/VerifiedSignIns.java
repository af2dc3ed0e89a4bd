package io.sagaorchestrator.web.security;

import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, for {@code saga.sign-in.remember-for}, the identity a user's password was just verified to: a client that
 * sends the same Basic credentials on every request then pays one digest and a map read instead of the realm's check,
 * the throttle's bookkeeping of an attempt and the identity's construction. Only a password that verified is
 * remembered, and only the same password finds it again: another one (a typo, a guess, a changed password) is checked
 * by the realm as ever, and its failure is counted. {@link SignInGate} asks after the throttle, so a throttled name or
 * address is refused even with a remembered password.
 * <p>
 * One entry per user that signed in, so at most as many as there are users; what is kept of the password is a
 * digest salted per process, never the password.
 */
@ApplicationScoped
public class VerifiedSignIns {

    private record Verified(byte[] digest, SecurityIdentity identity, long untilNanos) {
    }

    private final Map<String, Verified> byUser = new ConcurrentHashMap<>();
    /** SHA-256 that has read this process's salt: each digest starts from a copy (no provider look-up per request). */
    private final MessageDigest salted;
    private final long rememberNanos;
    private final LongSupplier nanoClock;

    @Inject
    VerifiedSignIns(SignInConfig config) {
        this(config.rememberFor(), System::nanoTime);
    }

    VerifiedSignIns(Duration rememberFor, LongSupplier nanoClock) {
        this.rememberNanos = rememberFor.toNanos();
        this.nanoClock = nanoClock;
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        try {
            this.salted = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        salted.update(salt);
    }

    /** The identity this user's password was verified to a moment ago, if the request carries the same password. */
    public Optional<SecurityIdentity> find(UsernamePasswordAuthenticationRequest request) {
        if (rememberNanos <= 0) {
            return Optional.empty();
        }
        Verified verified = byUser.get(request.getUsername());
        if (verified == null || nanoClock.getAsLong() - verified.untilNanos() > 0
                || !MessageDigest.isEqual(verified.digest(), digest(request.getPassword()))) {
            return Optional.empty();
        }
        return Optional.of(verified.identity());
    }

    /** The realm verified this request's password and made this identity of it. */
    public void remember(UsernamePasswordAuthenticationRequest request, SecurityIdentity identity) {
        if (rememberNanos > 0) {
            byUser.put(request.getUsername(),
                    new Verified(digest(request.getPassword()), identity, nanoClock.getAsLong() + rememberNanos));
        }
    }

    private byte[] digest(PasswordCredential password) {
        MessageDigest sha256;
        try {
            sha256 = (MessageDigest) salted.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be copied", e);
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password.getPassword()));
        sha256.update(bytes.duplicate());
        Arrays.fill(bytes.array(), (byte) 0);
        return sha256.digest();
    }
}
