package io.sagaorchestrator.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.process.ServiceProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Clients of the start API, as a real one behaves: every request carries an idempotency key, and a
 * request that got no answer (the process died, the database was away) is sent again with the same
 * key until the service answers for the saga, so every saga a client asked for is accounted for.
 */
final class Clients {

    static final String USER = "tester";
    static final String AUTH = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + USER).getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** What a client asks to start: its body, sent under its idempotency key. */
    interface Start {
        /** The request's own id, sent as its Idempotency-Key unless {@link #sendsKey()} says otherwise. */
        String key();

        String body();

        /** A client that sends no key: a resend after a lost answer is a new start. */
        default boolean sendsKey() {
            return true;
        }

        /** The definition it starts; null for the one the clients start (see {@link #starting}). */
        default String definition() {
            return null;
        }
    }

    /** One user-sync saga a client wants started. */
    record Request(String name, String phone, String username, String key) implements Start {
        @Override
        public String body() {
            return "{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\",\"roleIds\":[3]}";
        }
    }

    /** One order a client wants checked out: the input order-checkout declares. */
    record Order(String sku, int quantity, double amount, String currency, String key) implements Start {
        @Override
        public String body() {
            return String.format(Locale.ROOT, "{\"sku\":\"%s\",\"quantity\":%d,\"amount\":%.2f,\"currency\":\"%s\"}",
                    sku, quantity, amount, currency);
        }
    }

    /** The service's answer for a saga: HTTP status, the saga and its status at that moment. */
    record Answer(int http, String sagaId, String status, String body) {
    }

    private final Supplier<List<ServiceProcess>> live;
    /** The definition the clients start, as in {@code POST /api/sagas/<definition>}. */
    private volatile String definition = "user-sync";

    /** @param live the instances that are up now; a request goes to any of them */
    Clients(Supplier<List<ServiceProcess>> live) {
        this.live = live;
    }

    /** From now on the clients start sagas of {@code definition} (user-sync unless told otherwise). */
    Clients starting(String definition) {
        this.definition = definition;
        return this;
    }

    /** Clients working through {@code requests} on {@code threads} threads, {@code pacingMillis} apart each. */
    Load start(List<? extends Start> requests, int threads, int pacingMillis, int waitSeconds) {
        return new Load(requests, threads, pacingMillis, waitSeconds);
    }

    final class Load {
        private final Queue<Start> todo;
        private final List<Thread> workers = new ArrayList<>();
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final Queue<String> errors = new ConcurrentLinkedQueue<>();
        private final AtomicInteger resent = new AtomicInteger();

        private final String definition = Clients.this.definition;

        private Load(List<? extends Start> requests, int threads, int pacingMillis, int waitSeconds) {
            this.todo = new ConcurrentLinkedQueue<>(requests);
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(() -> {
                    Start r;
                    while ((r = todo.poll()) != null) {
                        try {
                            answers.put(r.key(), untilAnswered(r, waitSeconds));
                            Thread.sleep(pacingMillis);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            errors.add(r.key() + ": " + e.getMessage());
                        }
                    }
                }, "client-" + i);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
        }

        private Answer untilAnswered(Start r, int waitSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            String lastProblem = "no instance up";
            while (System.nanoTime() < deadline) {
                List<ServiceProcess> up = live.get();
                if (!up.isEmpty()) {
                    ServiceProcess service = up.get(ThreadLocalRandom.current().nextInt(up.size()));
                    try {
                        Answer a = send(service, r, waitSeconds, r.definition() != null ? r.definition() : definition);
                        if (a.sagaId() != null && (a.http() == 200 || a.http() == 202 || a.http() == 409)) {
                            return a;
                        }
                        if (a.http() < 500) {
                            throw new IllegalStateException("refused with HTTP " + a.http() + ": " + a.body());
                        }
                        lastProblem = "HTTP " + a.http() + ": " + a.body();
                    } catch (IOException e) {
                        lastProblem = e.toString();
                    }
                    resent.incrementAndGet();
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("no answer within 3 minutes; last: " + lastProblem);
        }

        /** Waits until every request was answered; fails with what went wrong otherwise. */
        Map<String, Answer> awaitAnswered(Duration atMost) throws InterruptedException {
            long deadline = System.nanoTime() + atMost.toNanos();
            for (Thread t : workers) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    throw new AssertionError("clients still waiting after " + atMost + " (" + answers.size() + " answered)");
                }
            }
            if (!errors.isEmpty()) {
                throw new AssertionError("requests failed: " + errors);
            }
            return Map.copyOf(answers);
        }

        int answered() {
            return answers.size();
        }

        /** Requests sent again because the first try got no answer. */
        int resent() {
            return resent.get();
        }
    }

    /** One try of a start request at one instance. */
    static Answer send(ServiceProcess service, Request r, int waitSeconds) throws IOException, InterruptedException {
        return send(service, r, waitSeconds, "user-sync");
    }

    /** One try of a start request of {@code definition} at one instance. */
    static Answer send(ServiceProcess service, Start r, int waitSeconds, String definition) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url("/api/sagas/" + definition + "?wait=" + waitSeconds)))
                .timeout(Duration.ofSeconds(waitSeconds + 20))
                .header("Authorization", AUTH).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(r.body()));
        if (r.sendsKey()) {
            request.header("Idempotency-Key", r.key());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String sagaId = null;
        String status = null;
        try {
            JsonNode body = JSON.readTree(response.body());
            sagaId = body.path("sagaId").asText(null);
            status = body.path("status").asText(null);
        } catch (IOException notJson) {
            // an error page: no saga
        }
        return new Answer(response.statusCode(), sagaId, status, response.body());
    }

    /** The live sagas the API lists (at most 500), or -1 when the instance could not answer. */
    static int liveSagas(ServiceProcess service) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url("/api/sagas?status=RUNNING&status=COMPENSATING&limit=500")))
                .timeout(Duration.ofSeconds(10)).header("Authorization", AUTH).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return -1;
            }
            return JSON.readTree(response.body()).path("items").size();
        } catch (IOException e) {
            return -1;
        }
    }
}
