package io.sagaorchestrator.examples.usersync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The {@code authToken} header TT expects: a weak scheme, but it is TT's contract, not ours to choose. */
public final class AuthToken {

    /** The header that carries the token on every TT request. */
    public static final String HEADER = "authToken";

    private AuthToken() {
    }

    /** Lower-case hex of the MD5 digest of the UTF-8 bytes of {@code secret}. */
    public static String md5Hex(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide MD5
            throw new IllegalStateException(e);
        }
    }
}
