package io.sagaorchestrator.web.console;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps the console's form posts from being forged by another site. Two layers:
 * <ol>
 * <li>the sign-in cookie is {@code SameSite=Strict} (see application.properties), so a browser does not send it
 * with a request another site starts;</li>
 * <li>every form carries a token, the HMAC of the signed-in user and a random value kept in the
 * {@code console-csrf} cookie ({@code HttpOnly}, {@code SameSite=Strict}); a post whose token does not match is
 * refused. Another site can neither read the token nor compute it (a signed double-submit cookie).</li>
 * </ol>
 * The HMAC key follows {@code quarkus.http.auth.session.encryption-key}, the key of the sign-in cookie, so the
 * instances that accept each other's sign-ins also accept each other's forms.
 */
@ApplicationScoped
public class ConsoleCsrf {

    static final String COOKIE = "console-csrf";
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    ConsoleCsrf(@ConfigProperty(name = "quarkus.http.auth.session.encryption-key") Optional<String> sessionKey) {
        byte[] material;
        if (sessionKey.isPresent()) {
            material = sha256("console-csrf|" + sessionKey.get());
        } else {
            material = new byte[32];
            random.nextBytes(material);
        }
        this.key = new SecretKeySpec(material, "HmacSHA256");
    }

    /** The token for this user's forms; gives the browser its random value first if it has none yet. */
    public String token(RoutingContext request, String user) {
        String nonce = nonce(request);
        if (nonce == null) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            request.put(COOKIE, nonce);
            request.response().addCookie(Cookie.cookie(COOKIE, nonce).setPath("/console").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(request.request().isSSL()));
        }
        return mac(nonce + "|" + user);
    }

    /** Whether a posted token is the one this browser's forms carry for this user. */
    public boolean valid(RoutingContext request, String user, String submitted) {
        String nonce = nonce(request);
        if (nonce == null || submitted == null) {
            return false;
        }
        return MessageDigest.isEqual(mac(nonce + "|" + user).getBytes(StandardCharsets.US_ASCII),
                submitted.getBytes(StandardCharsets.US_ASCII));
    }

    private static String nonce(RoutingContext request) {
        String fresh = request.get(COOKIE);
        if (fresh != null) {
            return fresh;
        }
        Cookie cookie = request.request().getCookie(COOKIE);
        return cookie != null && NONCE.matcher(cookie.getValue()).matches() ? cookie.getValue() : null;
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
