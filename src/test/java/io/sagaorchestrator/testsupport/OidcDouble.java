package io.sagaorchestrator.testsupport;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * An OpenID Connect provider in process, one per test JVM, as Keycloak answers: discovery, the keys (JWKS) with an RSA
 * key made at start, a sign-in page and the authorization code exchange for one person ({@link #CONSOLE_USER}), and
 * logout. Tests sign their own access tokens with the same key ({@link #token}) and may publish further keys
 * ({@link #publishKeys}). Quarkus may load this class and the tests in different class loaders: they share the port and
 * the key through system properties, as {@link TtWireMock} does.
 */
public class OidcDouble implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "/realms/saga";
    public static final String AUTHORIZE = REALM + "/protocol/openid-connect/auth";
    public static final String TOKEN = REALM + "/protocol/openid-connect/token";
    public static final String CERTS = REALM + "/protocol/openid-connect/certs";
    public static final String LOGOUT = REALM + "/protocol/openid-connect/logout";
    /** The API's client: the audience of the access tokens applications send. */
    public static final String API_AUDIENCE = "saga-api";
    /** The one person who can sign in at the double's page (any other name gets no token). */
    public static final String CONSOLE_USER = "olga";
    public static final String CONSOLE_USER_SUBJECT = "9d7c1f0e-5a44-4c1b-9f59-olga";

    private static final String PORT = OidcDouble.class.getName() + ".port";
    private static final String KEY = OidcDouble.class.getName() + ".key";

    @Override
    public synchronized Map<String, String> start() {
        if (System.getProperty(PORT) == null) {
            serve(0);
        }
        return Map.of("quarkus.oidc.auth-server-url", issuer());
    }

    /** Starts the provider on this port (0: any free one), for the rest of the JVM. */
    public static synchronized void serve(int port) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().port(port).bindAddress("127.0.0.1"));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.setProperty(PORT, Integer.toString(server.port()));
        RsaJsonWebKey key = newKey("first-key");
        System.setProperty(KEY, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        stub(client(), key);
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; stopped by the shutdown hook
    }

    public static String issuer() {
        return base() + REALM;
    }

    public static WireMock client() {
        return new WireMock("127.0.0.1", Integer.parseInt(port()));
    }

    public static RsaJsonWebKey newKey(String id) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(id);
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWKS then holds the double's own key and these (as after a key rotation at the provider). */
    public static void publishKeys(RsaJsonWebKey... more) {
        List<JsonWebKey> keys = new ArrayList<>(List.of(key()));
        keys.addAll(List.of(more));
        client().register(get(urlPathEqualTo(CERTS)).willReturn(json(
                new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY))));
    }

    /** Claims of an access token for the API, as the provider issues it, valid for five minutes. */
    public static Map<String, Object> accessTokenClaims(String name) {
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer());
        claims.put("aud", API_AUDIENCE);
        claims.put("sub", UUID.nameUUIDFromBytes(name.getBytes()).toString());
        claims.put("preferred_username", name);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
        return claims;
    }

    /** Signed with the double's own key, as a token of the provider. */
    public static String token(Map<String, Object> claims) {
        return sign(claims, key());
    }

    public static String sign(Map<String, Object> claims, RsaJsonWebKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(JsonUtil.toJson(claims));
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void stub(WireMock wireMock, RsaJsonWebKey key) {
        String issuer = issuer();
        wireMock.register(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration")).willReturn(json(JsonUtil.toJson(Map.of(
                "issuer", issuer,
                "authorization_endpoint", base() + AUTHORIZE,
                "token_endpoint", base() + TOKEN,
                "jwks_uri", base() + CERTS,
                "end_session_endpoint", base() + LOGOUT,
                "response_types_supported", List.of("code"),
                "code_challenge_methods_supported", List.of("S256"),
                "id_token_signing_alg_values_supported", List.of("RS256"))))));
        wireMock.register(get(urlPathEqualTo(CERTS)).willReturn(json(
                new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY))));
        // the provider's sign-in page: a name, and back to the application with a code standing for that name
        wireMock.register(get(urlPathEqualTo(AUTHORIZE)).willReturn(aResponse().withHeader("Content-Type", "text/html")
                .withBody("""
                        <html><head><title>Sign in at the identity provider</title></head><body>
                        <form action="%s/login" method="get">
                          <label for="username">Name</label><input id="username" name="username">
                          <input type="hidden" name="state" value="{{request.query.state}}">
                          <input type="hidden" name="redirect_uri" value="{{request.query.redirect_uri}}">
                          <button type="submit" id="provider-sign-in">Sign in</button>
                        </form></body></html>""".formatted(REALM))
                .withTransformers("response-template")));
        wireMock.register(get(urlPathEqualTo(REALM + "/login")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "{{{request.query.redirect_uri}}}?code={{{request.query.username}}}&state={{{request.query.state}}}")
                .withTransformers("response-template")));
        Instant now = Instant.now();
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("iss", issuer);
        common.put("sub", CONSOLE_USER_SUBJECT);
        common.put("preferred_username", CONSOLE_USER);
        common.put("email", CONSOLE_USER + "@example.test");
        common.put("iat", now.getEpochSecond());
        common.put("exp", now.plus(Duration.ofHours(3)).getEpochSecond());
        Map<String, Object> idToken = new LinkedHashMap<>(common);
        idToken.put("aud", "saga-console");
        Map<String, Object> accessToken = new LinkedHashMap<>(common);
        accessToken.put("aud", List.of("saga-console", API_AUDIENCE));
        // Keycloak's shape: realm roles in the access token
        accessToken.put("realm_access", Map.of("roles", List.of("saga-operator", "saga-viewer")));
        wireMock.register(post(urlPathEqualTo(TOKEN)).withRequestBody(matching("(.*&)?code=" + CONSOLE_USER + "(&.*)?"))
                .willReturn(json(JsonUtil.toJson(Map.of(
                        "access_token", sign(accessToken, key),
                        "id_token", sign(idToken, key),
                        "token_type", "Bearer",
                        "expires_in", 3 * 3600)))));
        wireMock.register(get(urlPathEqualTo(LOGOUT)).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "{{{request.query.post_logout_redirect_uri}}}")
                .withTransformers("response-template")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body);
    }

    private static RsaJsonWebKey key() {
        try {
            return (RsaJsonWebKey) JsonWebKey.Factory.newJwk(System.getProperty(KEY));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base() {
        return "http://127.0.0.1:" + port();
    }

    private static String port() {
        String port = System.getProperty(PORT);
        if (port == null) {
            throw new IllegalStateException("the identity provider double is not running: it starts with the first @QuarkusTest");
        }
        return port;
    }
}
