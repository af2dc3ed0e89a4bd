package io.sagaorchestrator.examples.usersync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AuthTokenTest {

    @Test
    void tokenIsTheLowerCaseMd5HexOfTheSecret() {
        // given
        String secret = "bench";

        // when
        String token = AuthToken.md5Hex(secret);

        // then: as `printf bench | md5sum` prints it
        assertEquals("1d28d258250876fb7dde22a17436ef9c", token);
    }
}
