package io.sagaorchestrator.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful double of the third parties of the order examples, in the test JVM, on one port: the inventory under
 * {@code /inventory}, the payment provider under {@code /payments} and the carrier under {@code /shipping} (of
 * order-fulfilment), with the contract of the built-in simulator
 * ({@code shopsimulator/ShopSimulatorResource}): an effect is made once per {@code Idempotency-Key}, a repeat answers
 * it, and an undo addressed by that key leaves a mark, so a late repeat is refused (409) rather than made again.
 *
 * <p>Unlike the simulator it keeps the evidence the checks need (every effect by key, live or undone, and how often it
 * was made) and injects faults, switchable at any moment: latency, for all services or one; a share of calls answered 503 before any work; a
 * share that do the work and lose the answer (a 500, or the connection closed with no answer); undo calls that fail
 * their first N tries per key; and scripted failures of the calls of one SKU. Random faults never hit one key more than
 * {@link #MAX_RANDOM_FAULTS_IN_A_ROW} times in a row: they stay technical faults a step's retry budget (6) absorbs, so
 * only a scripted fault can spend a whole budget.
 */
final class ShopDouble implements AutoCloseable {

    /** Units of each SKU in stock. */
    static final int STOCK = 50;
    /** A charge above this amount is declined (402). */
    static final double CARD_LIMIT = 500;
    /** The X-Api-Key the payment provider wants, passed to the service as {@code saga.secret.payments-api-key}. */
    static final String API_KEY = "consistency-payments-key";
    static final int MAX_RANDOM_FAULTS_IN_A_ROW = 3;

    /** The third parties. */
    enum Service {
        INVENTORY("reserve-stock"), PAYMENTS("charge-payment"), SHIPPING("book-shipment");

        /** The step (of every order example that calls it) whose calls this service answers. */
        final String step;

        Service(String step) {
            this.step = step;
        }
    }

    /**
     * An effect one key made, or the mark of an undo whose request never arrived ({@code id} null): a reservation or a
     * shipment ({@code sku}, {@code quantity}), or a charge ({@code amount}, the {@code reservation} it pays for, and the
     * SKU of that reservation, or the SKU it names when it is made beside the reservation).
     */
    record Effect(Service service, String key, String id, boolean live, String sku, int quantity, double amount,
                  String reservation) {
        Effect undone() {
            return new Effect(service, key, id, false, sku, quantity, amount, reservation);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = HttpDoubles.threads("shop-double");
    private final AtomicInteger nextId = new AtomicInteger();

    // guarded by this; keys are "<service>|<idempotency key>"
    private final Map<String, Effect> effects = new HashMap<>();
    private final Map<String, Integer> madeBySku = new HashMap<>();
    private final Map<String, Integer> randomFaultsInARow = new HashMap<>();
    private final Map<String, Integer> undoFailures = new HashMap<>();
    private final Map<String, Integer> scriptedFailures = new HashMap<>();
    private final Map<String, Boolean> scriptedAfterWork = new HashMap<>();

    private volatile int latencyMinMillis;
    private volatile int latencyMaxMillis;
    private final Map<Service, Integer> latencyOf = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile double failBeforeWork;
    private volatile double loseAfterWork;
    private volatile int undoFailuresPerKey;

    private final AtomicInteger faultsInjected = new AtomicInteger();

    ShopDouble() {
        server = HttpDoubles.server(threads);
        server.createContext("/inventory/reservations", e -> handle(e, Service.INVENTORY));
        server.createContext("/payments/charges", e -> handle(e, Service.PAYMENTS));
        server.createContext("/shipping/shipments", e -> handle(e, Service.SHIPPING));
        server.start();
    }

    /** The base URL of a service, as {@code saga.http.<target>.url}. */
    String url(Service service) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + service.name().toLowerCase(Locale.ROOT);
    }

    // ---- what the test sets up ------------------------------------------------------------------

    void latency(int minMillis, int maxMillis) {
        this.latencyMinMillis = minMillis;
        this.latencyMaxMillis = maxMillis;
    }

    /** Every call of {@code service} takes {@code millis}, instead of the latency of all services. */
    void latency(Service service, int millis) {
        latencyOf.put(service, millis);
    }

    /** Share of calls (to make or undo, on every service) answered 503 without doing anything. */
    void failBeforeWork(double share) {
        this.failBeforeWork = share;
    }

    /** Share of calls that do the work and then lose the answer (half as a 500, half as a closed connection). */
    void loseAfterWork(double share) {
        this.loseAfterWork = share;
    }

    /** The first {@code n} undo calls of every key (release, refund) are answered 500 without undoing. */
    void undoFailuresPerKey(int n) {
        this.undoFailuresPerKey = n;
    }

    /**
     * The next {@code times} calls of {@code service} to make the effect for an order of {@code sku} fail: before
     * the work (503) or after it (the effect is made, the answer is a 500). A charge is of the SKU of the reservation
     * it pays for, or of the SKU it names. These calls get none of the random faults.
     */
    synchronized void failCalls(Service service, String sku, int times, boolean afterWork) {
        scriptedFailures.put(service + "|" + sku, times);
        scriptedAfterWork.put(service + "|" + sku, afterWork);
    }

    // ---- what the checks read -------------------------------------------------------------------

    /** Every effect made or marked undone, by {@code <service>|<idempotency key>}. */
    synchronized Map<String, Effect> effects() {
        return Map.copyOf(effects);
    }

    synchronized Optional<Effect> effect(Service service, String key) {
        return Optional.ofNullable(effects.get(service + "|" + key));
    }

    /**
     * How many effects of {@code service} were made for each SKU, under any key. The suite gives every order a SKU of
     * its own, so more than one is a duplicate: a second saga, or a key that was not stable.
     */
    synchronized Map<String, Integer> madeBySku(Service service) {
        Map<String, Integer> made = new HashMap<>();
        madeBySku.forEach((id, n) -> {
            if (id.startsWith(service + "|")) {
                made.put(id.substring(id.indexOf('|') + 1), n);
            }
        });
        return made;
    }

    int faultsInjected() {
        return faultsInjected.get();
    }

    // ---- the API --------------------------------------------------------------------------------

    private void handle(HttpExchange exchange, Service service) throws IOException {
        try (exchange) {
            Integer own = latencyOf.get(service);
            HttpDoubles.pause(own == null ? latencyMinMillis : own, own == null ? latencyMaxMillis : own);
            String path = exchange.getRequestURI().getPath();
            String base = exchange.getHttpContext().getPath();
            String rest = path.substring(base.length());
            String method = exchange.getRequestMethod();
            if (service == Service.PAYMENTS && !API_KEY.equals(exchange.getRequestHeaders().getFirst("X-Api-Key"))) {
                HttpDoubles.answer(exchange, 401, "{\"status\":\"UNAUTHORIZED\",\"message\":\"bad or missing X-Api-Key\"}");
            } else if (method.equals("POST") && rest.isEmpty()) {
                make(exchange, service);
            } else if (service != Service.PAYMENTS && method.equals("DELETE") && rest.startsWith("/")) {
                undo(exchange, service, rest.substring(1));
            } else if (service == Service.PAYMENTS && method.equals("POST") && rest.startsWith("/") && rest.endsWith("/refund")) {
                undo(exchange, service, rest.substring(1, rest.length() - "/refund".length()));
            } else {
                HttpDoubles.answer(exchange, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"no such endpoint\"}");
            }
        } catch (RuntimeException e) {
            HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"double failed: " + e + "\"}");
        }
    }

    private void make(HttpExchange exchange, Service service) throws IOException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (key == null || key.isBlank()) {
            HttpDoubles.answer(exchange, 400, "{\"status\":\"BAD_REQUEST\",\"message\":\"an Idempotency-Key is required\"}");
            return;
        }
        String sku;
        int quantity = body.path("quantity").asInt(0);
        double amount = body.path("amount").asDouble(0);
        String reservation = body.path("reservation").asText(null);
        synchronized (this) {
            sku = service != Service.PAYMENTS || reservation == null ? body.path("sku").asText("")
                    : effects.values().stream().filter(e -> e.service() == Service.INVENTORY && e.id() != null && e.id().equals(reservation))
                    .map(Effect::sku).findFirst().orElse("");
        }
        if ((service != Service.PAYMENTS && (sku.isEmpty() || quantity < 1)) || (service == Service.PAYMENTS && amount <= 0)) {
            HttpDoubles.answer(exchange, 400, "{\"status\":\"BAD_REQUEST\",\"message\":\"incomplete body: " + body + "\"}");
            return;
        }
        Fault fault = fault(service, key, sku);
        if (fault == Fault.BEFORE_WORK) {
            faultsInjected.incrementAndGet();
            HttpDoubles.answer(exchange, 503, "{\"status\":\"UNAVAILABLE\",\"message\":\"injected: nothing was done\"}");
            return;
        }
        int status;
        Effect effect;
        synchronized (this) {
            String id = service + "|" + key;
            effect = effects.get(id);
            if (effect != null) {
                status = effect.live() ? 200 : 409; // a repeat answers the first; one undone meanwhile is not made again
            } else if (service == Service.INVENTORY && reserved(sku) + quantity > STOCK) {
                status = 409;
                effect = null;
            } else if (service == Service.PAYMENTS && amount > CARD_LIMIT) {
                status = 402;
                effect = null;
            } else {
                String prefix = switch (service) {
                    case INVENTORY -> "res-";
                    case PAYMENTS -> "ch-";
                    case SHIPPING -> "sh-";
                };
                effect = new Effect(service, key, prefix + nextId.incrementAndGet(), true, sku, quantity, amount, reservation);
                effects.put(id, effect);
                madeBySku.merge(service + "|" + sku, 1, Integer::sum);
                status = 201;
            }
        }
        if (fault == Fault.AFTER_WORK) {
            loseAnswer(exchange);
            return;
        }
        if (effect == null) {
            String reason = status == 402 ? "DECLINED" : "OUT_OF_STOCK";
            HttpDoubles.answer(exchange, status, "{\"status\":\"" + reason + "\"}");
        } else {
            HttpDoubles.answer(exchange, status, view(effect));
        }
    }

    private void undo(HttpExchange exchange, Service service, String key) throws IOException {
        String id = service + "|" + key;
        boolean injected;
        synchronized (this) {
            int failed = undoFailures.getOrDefault(id, 0);
            injected = failed < undoFailuresPerKey;
            if (injected) {
                undoFailures.put(id, failed + 1);
            }
        }
        if (injected) {
            faultsInjected.incrementAndGet();
            HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"injected: nothing was undone\"}");
            return;
        }
        Fault fault = fault(service, "undo " + key, null);
        if (fault == Fault.BEFORE_WORK) {
            faultsInjected.incrementAndGet();
            HttpDoubles.answer(exchange, 503, "{\"status\":\"UNAVAILABLE\",\"message\":\"injected: nothing was done\"}");
            return;
        }
        Effect undone;
        synchronized (this) {
            // an undo of a key whose request has not arrived (yet) leaves the mark alone
            undone = effects.compute(id, (k, known) -> known == null
                    ? new Effect(service, key, null, false, null, 0, 0, null) : known.undone());
        }
        if (fault == Fault.AFTER_WORK) {
            loseAnswer(exchange);
            return;
        }
        HttpDoubles.answer(exchange, 200, view(undone));
    }

    private enum Fault { NONE, BEFORE_WORK, AFTER_WORK }

    /** The fault this call gets: scripted for its SKU, or drawn, but never more than a few times in a row per key. */
    private synchronized Fault fault(Service service, String key, String sku) {
        String scriptedId = service + "|" + sku;
        Integer left = sku == null ? null : scriptedFailures.get(scriptedId);
        if (left != null) {
            if (left == 0) {
                return Fault.NONE;
            }
            scriptedFailures.put(scriptedId, left - 1);
            return scriptedAfterWork.get(scriptedId) ? Fault.AFTER_WORK : Fault.BEFORE_WORK;
        }
        String id = service + "|" + key;
        int inARow = randomFaultsInARow.getOrDefault(id, 0);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        double draw = random.nextDouble();
        Fault fault = inARow >= MAX_RANDOM_FAULTS_IN_A_ROW ? Fault.NONE
                : draw < failBeforeWork ? Fault.BEFORE_WORK : draw < failBeforeWork + loseAfterWork ? Fault.AFTER_WORK : Fault.NONE;
        randomFaultsInARow.put(id, fault == Fault.NONE ? 0 : inARow + 1);
        return fault;
    }

    /** Units of {@code sku} held by live reservations. */
    private int reserved(String sku) {
        return effects.values().stream().filter(e -> e.service() == Service.INVENTORY && e.live() && sku.equals(e.sku()))
                .mapToInt(Effect::quantity).sum();
    }

    private void loseAnswer(HttpExchange exchange) throws IOException {
        faultsInjected.incrementAndGet();
        if (ThreadLocalRandom.current().nextBoolean()) {
            HttpDoubles.answer(exchange, 500, "{\"status\":\"ERROR\",\"message\":\"injected: the work was done, the answer is lost\"}");
        } else {
            exchange.close(); // no status line at all: the connection is closed under the client
        }
    }

    private static String view(Effect e) {
        String word = switch (e.service()) {
            case INVENTORY -> e.live() ? "RESERVED" : "RELEASED";
            case PAYMENTS -> e.live() ? "CHARGED" : "REFUNDED";
            case SHIPPING -> e.live() ? "BOOKED" : "CANCELLED";
        };
        return e.id() == null ? "{\"status\":\"" + word + "\"}" : "{\"id\":\"" + e.id() + "\",\"status\":\"" + word + "\"}";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
