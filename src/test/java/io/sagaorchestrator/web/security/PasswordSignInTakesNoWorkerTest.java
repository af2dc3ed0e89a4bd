package io.sagaorchestrator.web.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The password of a configured user is checked on the event loop that received the request: no worker thread is
 * taken for it, so a request to a blocking resource is handed to a worker once, for the resource itself. Seen in
 * the tasks of Vert.x's worker pool (its {@code pool.completed} meter), where Quarkus' own provider put every check.
 * The scheduled jobs run there too, a few a second: the sign-ins are sent all at once so they take little time,
 * and half a task per sign-in is the margin.
 */
@QuarkusTest
class PasswordSignInTakesNoWorkerTest {

    private static final int SIGN_INS = 100;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/api/definitions")
    URI api;

    @TestHTTPResource("/console/j_security_check")
    URI consoleSignIn;

    @Inject
    MeterRegistry registry;

    @Test
    void basicSignInsAreCheckedWithoutAWorkerThread() {
        // given the worker tasks run so far
        double before = workerTasks();

        // when a viewer calls the API 100 times at once with Basic credentials
        String credentials = Base64.getEncoder().encodeToString("viewer:viewer".getBytes(StandardCharsets.UTF_8));
        List<Integer> statuses = sendAtOnce(HttpRequest.newBuilder(api).header("Authorization", "Basic " + credentials).GET().build());

        // then all were let in, and no worker task ran per sign-in
        assertEquals(List.of(200), statuses.stream().distinct().toList());
        double ran = workerTasks() - before;
        assertTrue(ran < SIGN_INS / 2.0, ran + " worker tasks for " + SIGN_INS + " sign-ins");
    }

    @Test
    void consoleFormSignInsAreCheckedWithoutAWorkerThread() {
        // given the worker tasks run so far
        double before = workerTasks();

        // when an operator signs in to the console 100 times at once
        List<Integer> statuses = sendAtOnce(HttpRequest.newBuilder(consoleSignIn)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("j_username=operator&j_password=operator")).build());

        // then all were signed in (sent on to the console), and no worker task ran per sign-in
        assertEquals(List.of(302), statuses.stream().distinct().toList());
        double ran = workerTasks() - before;
        assertTrue(ran < SIGN_INS / 2.0, ran + " worker tasks for " + SIGN_INS + " sign-ins");
    }

    private static List<Integer> sendAtOnce(HttpRequest request) {
        List<CompletableFuture<Integer>> answers = IntStream.range(0, SIGN_INS)
                .mapToObj(i -> HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode))
                .toList();
        return answers.stream().map(CompletableFuture::join).toList();
    }

    private double workerTasks() {
        return registry.getMeters().stream()
                .filter(meter -> meter instanceof Counter && meter.getId().getName().endsWith("pool.completed")
                        && "worker".equals(meter.getId().getTag("pool.type")))
                .mapToDouble(meter -> ((Counter) meter).count())
                .sum();
    }
}
