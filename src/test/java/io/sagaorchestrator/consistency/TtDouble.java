package io.sagaorchestrator.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stateful double of the TT user API (see /work/shared/tt-user-api.md), in the test JVM: unlike a
 * stub it remembers users by username, so a re-issued add answers EXISTS with the same id, and it
 * keeps the evidence the consistency checks need: how often each username was really created,
 * which users a test seeded before the sagas ran, and every deletion.
 *
 * <p>Faults can be switched at any moment: latency, a 5xx without doing the work, a lost response
 * after doing the work (500, or the connection closed with no answer at all), failing deletes.
 * The authToken header is not checked.
 */
final class TtDouble implements AutoCloseable {

    /** A user TT has now. */
    record User(String id, String username) {
    }

    /** A deletion TT carried out (of a user that existed). */
    record Deletion(String id, String username, boolean seeded) {
    }

    /** How a lost add answer is lost. */
    enum Loss { HTTP_500, CONNECTION_CLOSED }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = HttpDoubles.threads("tt-double");
    private final AtomicLong nextId = new AtomicLong(100_000);

    // guarded by this
    private final Map<String, User> byUsername = new HashMap<>();
    private final Map<String, User> byId = new HashMap<>();
    private final Map<String, Integer> creations = new HashMap<>();
    private final Set<String> seeded = ConcurrentHashMap.newKeySet();
    private final List<Deletion> deletions = new ArrayList<>();
    private final Map<String, Integer> deleteFailuresById = new HashMap<>();
    private final Map<String, Integer> scriptedAddFailures = new HashMap<>();
    private final Set<String> scriptedAfterWork = new HashSet<>();
    private final Map<String, Integer> scriptedHangs = new HashMap<>();
    private final Set<String> hangAfterWork = new HashSet<>();
    private volatile int hangMillis;

    // faults, switchable while requests run
    private volatile int latencyMinMillis;
    private volatile int latencyMaxMillis;
    private volatile double addFailBeforeWork;
    private volatile double addLoseAfterWork;
    private volatile int deleteFailuresPerUser;

    private final AtomicInteger faultsInjected = new AtomicInteger();
    private final AtomicInteger addRequests = new AtomicInteger();
    private final AtomicInteger deleteRequests = new AtomicInteger();

    TtDouble() {
        server = HttpDoubles.server(threads);
        server.createContext("/users", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ---- what the test sets up ------------------------------------------------------------------

    /** A user that exists before any saga runs: somebody else's, which no saga may delete. */
    synchronized User seed(String username) {
        User user = new User(Long.toString(nextId.incrementAndGet()), username);
        byUsername.put(username, user);
        byId.put(user.id(), user);
        seeded.add(user.id());
        return user;
    }

    void latency(int minMillis, int maxMillis) {
        this.latencyMinMillis = minMillis;
        this.latencyMaxMillis = maxMillis;
    }

    /** Share of adds answered 500 without creating anything. */
    void addFailBeforeWork(double share) {
        this.addFailBeforeWork = share;
    }

    /** Share of adds that create the user and then lose the answer (half as a 500, half as a closed connection). */
    void addLoseAfterWork(double share) {
        this.addLoseAfterWork = share;
    }

    /** The first {@code n} deletes of every user are answered 500 without deleting. */
    void deleteFailuresPerUser(int n) {
        this.deleteFailuresPerUser = n;
    }

    /**
     * The next {@code times} adds of {@code username} fail: before the work (503) or after it (the
     * user is created, the answer is a 500). Such a username gets none of the random faults.
     */
    synchronized void failAdds(String username, int times, boolean afterWork) {
        scriptedAddFailures.put(username, times);
        if (afterWork) {
            scriptedAfterWork.add(username);
        }
    }

    /**
     * The next {@code times} adds of {@code username} hang for {@code millis} (longer than the caller waits): before the
     * work, then answered 504 with nothing done (a gateway gave up on them), or after it, then answered as usual (the
     * user exists; the answer comes too late to be read). Such a username gets none of the random faults.
     */
    synchronized void hangAdds(String username, int times, int millis, boolean afterWork) {
        scriptedHangs.put(username, times);
        hangMillis = millis;
        if (afterWork) {
            hangAfterWork.add(username);
        }
    }

    void noFaults() {
        latency(0, 0);
        addFailBeforeWork(0);
        addLoseAfterWork(0);
        deleteFailuresPerUser(0);
    }

    // ---- what the checks read -------------------------------------------------------------------

    synchronized Map<String, User> liveUsersById() {
        return Map.copyOf(byId);
    }

    /** How many times each username was really created (more than once means a duplicate remote creation). */
    synchronized Map<String, Integer> creations() {
        return Map.copyOf(creations);
    }

    boolean isSeeded(String id) {
        return seeded.contains(id);
    }

    synchronized List<Deletion> deletions() {
        return List.copyOf(deletions);
    }

    int faultsInjected() {
        return faultsInjected.get();
    }

    int addRequests() {
        return addRequests.get();
    }

    int deleteRequests() {
        return deleteRequests.get();
    }

    // ---- the API --------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            HttpDoubles.pause(latencyMinMillis, latencyMaxMillis);
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("POST") && path.equals("/users")) {
                add(exchange);
            } else if (method.equals("DELETE") && path.startsWith("/users/")) {
                delete(exchange, path.substring("/users/".length()));
            } else if (method.equals("GET") && path.startsWith("/users/")) {
                get(exchange, path.substring("/users/".length()));
            } else {
                HttpDoubles.answer(exchange, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"no such endpoint\"}");
            }
        } catch (RuntimeException e) {
            HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"double failed: " + e + "\"}");
        }
    }

    private void add(HttpExchange exchange) throws IOException {
        addRequests.incrementAndGet();
        JsonNode body = JSON.readTree(readAll(exchange.getRequestBody()));
        String username = body.path("username").asText("");
        if (username.isEmpty()) {
            HttpDoubles.answer(exchange, 400, "{\"status\":\"INVALID\",\"message\":\"username is required\"}");
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean scripted;
        boolean failBefore;
        boolean loseAfter;
        boolean hang;
        synchronized (this) {
            Integer hangsLeft = scriptedHangs.get(username);
            hang = hangsLeft != null && hangsLeft > 0;
            if (hang) {
                scriptedHangs.put(username, hangsLeft - 1);
            }
            Integer left = hangsLeft != null ? Integer.valueOf(0) : scriptedAddFailures.get(username);
            scripted = left != null;
            if (scripted && left > 0) {
                scriptedAddFailures.put(username, left - 1);
            }
            failBefore = scripted ? left > 0 && !scriptedAfterWork.contains(username) : random.nextDouble() < addFailBeforeWork;
            loseAfter = scripted ? left > 0 && scriptedAfterWork.contains(username) : random.nextDouble() < addLoseAfterWork;
        }
        if (hang) {
            faultsInjected.incrementAndGet();
            if (!hangAfterWork.contains(username)) {
                HttpDoubles.pause(hangMillis, hangMillis);
                HttpDoubles.answer(exchange, 504, "{\"status\":\"UNAVAILABLE\",\"message\":\"injected: hung, nothing was done\"}");
                return;
            }
        }
        if (failBefore) {
            faultsInjected.incrementAndGet();
            HttpDoubles.answer(exchange, 503, "{\"status\":\"UNAVAILABLE\",\"message\":\"injected: nothing was done\"}");
            return;
        }
        String status;
        User user;
        synchronized (this) {
            user = byUsername.get(username);
            if (user == null) {
                user = new User(Long.toString(nextId.incrementAndGet()), username);
                byUsername.put(username, user);
                byId.put(user.id(), user);
                creations.merge(username, 1, Integer::sum);
                status = "OK";
            } else {
                status = "EXISTS";
            }
        }
        if (hang) {
            HttpDoubles.pause(hangMillis, hangMillis);
        }
        if (loseAfter) {
            faultsInjected.incrementAndGet();
            if (random.nextBoolean()) {
                HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"injected: the work was done, the answer is lost\"}");
            } else {
                exchange.close(); // no status line at all: the connection is closed under the client
            }
            return;
        }
        HttpDoubles.answer(exchange, 200, "{\"status\":\"" + status + "\",\"data\":\"" + user.id() + "\"}");
    }

    private void delete(HttpExchange exchange, String id) throws IOException {
        deleteRequests.incrementAndGet();
        boolean injected;
        synchronized (this) {
            int failed = deleteFailuresById.getOrDefault(id, 0);
            injected = failed < deleteFailuresPerUser;
            if (injected) {
                deleteFailuresById.put(id, failed + 1);
            } else {
                User user = byId.remove(id);
                if (user != null) {
                    byUsername.remove(user.username());
                    deletions.add(new Deletion(id, user.username(), seeded.contains(id)));
                }
            }
        }
        if (injected) {
            faultsInjected.incrementAndGet();
            HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"injected: the user was not deleted\"}");
        } else {
            HttpDoubles.answer(exchange, 200, "{\"status\":\"OK\"}");
        }
    }

    private void get(HttpExchange exchange, String id) throws IOException {
        User user;
        synchronized (this) {
            user = byId.get(id);
        }
        if (user == null) {
            HttpDoubles.answer(exchange, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"no user " + id + "\"}");
        } else {
            HttpDoubles.answer(exchange, 200, "{\"status\":\"OK\",\"data\":\"" + user.username() + "\"}");
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
