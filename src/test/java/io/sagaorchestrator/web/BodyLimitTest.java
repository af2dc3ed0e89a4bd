package io.sagaorchestrator.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Header;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A body over the 64 KB limit is a 413 problem+json that says the limit, like every other error, and starts nothing. */
@QuarkusTest
class BodyLimitTest {

    private static final String TWO_MB = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"phone\":\"13800000000\"}";

    /**
     * As a careful client sends a large body: it waits for the server's answer to the headers before sending it. Without
     * it the server's 413 can close the connection while the client still writes, and the client reports a broken pipe
     * instead of the answer (a race of HTTP/1.1, not of this service).
     */
    private static final Header WAIT_FOR_THE_ANSWER = new Header("Expect", "100-continue");

    @TestHTTPResource("/api/sagas/user-sync")
    URI userSync;

    @Test
    void aBodyOverTheLimitIsA413ProblemSayingTheLimit() {
        // given the number of sagas in the log
        long before = count("select count(*) from saga");

        // when a client sends 2 MB (with its length announced), then it gets a 413 problem naming the limit
        as("client").contentType("application/json").header(WAIT_FOR_THE_ANSWER).body(TWO_MB).post("/api/sagas/user-sync")
                .then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("/problems/body-too-large"))
                .body("detail", containsString("64 KB"));
        // and nothing was started
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void aBodyOverTheLimitIsA413ProblemEvenWithoutCredentials() {
        given().contentType("application/json").header(WAIT_FOR_THE_ANSWER).body(TWO_MB).post("/api/sagas/user-sync")
                .then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("64 KB"));
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedToo() throws Exception {
        // given a body sent in chunks, its length not announced
        HttpRequest request = HttpRequest.newBuilder(userSync)
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("client:client".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(TWO_MB.getBytes(StandardCharsets.UTF_8))))
                .build();

        long before = count("select count(*) from saga");

        // when it is sent
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException closedWhileSending) {
            // the server answered 413 and closed the connection while the client was still sending: the client
            // then reports the broken connection instead of the answer (a race of HTTP/1.1, not of this service)
            response = null;
        }

        // then Quarkus's own limit refuses it (with its bare 413: see BodyLimit), and nothing is started
        if (response != null) {
            assertEquals(413, response.statusCode(), response.body());
        }
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void aRequestWithoutABodyOrWithASmallChunkedOneIsAnsweredAsUsual() throws Exception {
        // given a GET that announces no length (as curl and the JDK's client send it), and a small body sent in chunks
        String basic = "Basic " + Base64.getEncoder().encodeToString("operator:operator".getBytes(StandardCharsets.UTF_8));
        HttpRequest list = HttpRequest.newBuilder(userSync.resolve("/api/sagas?limit=1")).header("Authorization", basic).GET().build();
        HttpRequest smallChunked = HttpRequest.newBuilder(userSync.resolve("/api/bulk-operations"))
                .header("Content-Type", "application/json").header("Authorization", basic)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))))
                .build();

        // when they are sent
        HttpResponse<String> listed = HttpClient.newHttpClient().send(list, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> refused = HttpClient.newHttpClient().send(smallChunked, HttpResponse.BodyHandlers.ofString());

        // then the list answers, and the chunked body reaches the endpoint, which says what is missing in it
        assertEquals(200, listed.statusCode(), listed.body());
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(null));
    }
}
