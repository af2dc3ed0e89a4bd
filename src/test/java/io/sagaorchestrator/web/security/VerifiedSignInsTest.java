package io.sagaorchestrator.web.security;

import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class VerifiedSignInsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final VerifiedSignIns verified = new VerifiedSignIns(Duration.ofSeconds(30), now::get);
    private final SecurityIdentity alice = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("alice"))
            .addRole("saga-viewer").build();

    @Test
    void theSamePasswordFindsTheIdentityItWasVerifiedTo() {
        // given alice's password verified
        verified.remember(signIn("alice", "right"), alice);

        // when alice sends it again within the time, then she is the identity the realm made
        assertSame(alice, verified.find(signIn("alice", "right")).orElseThrow());
    }

    @Test
    void anotherPasswordFindsNothing() {
        // given alice's password verified
        verified.remember(signIn("alice", "right"), alice);

        // when a wrong or changed password comes for alice, or her password for another name, then it finds nothing
        assertEquals(Optional.empty(), verified.find(signIn("alice", "wrong")));
        assertEquals(Optional.empty(), verified.find(signIn("alice", "righ")));
        assertEquals(Optional.empty(), verified.find(signIn("bob", "right")));
    }

    @Test
    void aVerifiedPasswordIsForgottenAfterItsTime() {
        // given alice's password verified
        verified.remember(signIn("alice", "right"), alice);

        // when 30 s passed, then her password is checked again
        now.addAndGet(Duration.ofSeconds(30).toNanos() + 1);
        assertEquals(Optional.empty(), verified.find(signIn("alice", "right")));
    }

    @Test
    void aTimeOfZeroRemembersNothing() {
        // given sign-ins remembered for no time
        VerifiedSignIns never = new VerifiedSignIns(Duration.ZERO, now::get);

        // when alice's password verified, then the next request is checked anyway
        never.remember(signIn("alice", "right"), alice);
        assertEquals(Optional.empty(), never.find(signIn("alice", "right")));
    }

    private static UsernamePasswordAuthenticationRequest signIn(String user, String password) {
        return new UsernamePasswordAuthenticationRequest(user, new PasswordCredential(password.toCharArray()));
    }
}
