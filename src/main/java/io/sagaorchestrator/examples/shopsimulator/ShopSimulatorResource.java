package io.sagaorchestrator.examples.shopsimulator;

import io.sagaorchestrator.examples.usersync.simulator.LoopbackOnly;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Stand-ins for an inventory service, a payment provider and a carrier, the third parties of the {@code order-checkout},
 * {@code order-approval} and {@code order-fulfilment} example sagas, so that they run without any of them:
 * {@code saga.http.inventory.url}, {@code saga.http.payments.url} and {@code saga.http.shipping.url} point here in dev
 * mode, tests and the demo profile. Off unless {@code shop.simulator.enabled=true}; while off, and
 * for any caller on another machine, every request answers a bare 404, as if it were absent.
 *
 * <p>All three honour the {@code Idempotency-Key} the saga sends: a repeated request answers the effect made the first
 * time, and undoing (releasing a reservation, refunding a charge, cancelling a shipment) is addressed by that key, so a saga can undo a call
 * whose answer it lost. Stock is {@code shop.simulator.stock} units per SKU; a charge above
 * {@code shop.simulator.card-limit} is declined; the payment API wants the {@code X-Api-Key} of
 * {@code saga.secret.payments-api-key} (the key the saga sends; a demo value unless configured).
 */
@Path("/shop-simulator")
@Produces(MediaType.APPLICATION_JSON)
// the API's role checks are for our callers; these stand for foreign systems with checks of their own
@PermitAll
// one instance: the stock and the charges live in it
@Singleton
@LoopbackOnly
public class ShopSimulatorResource {

    /** The body of a reservation. */
    public record ReservationRequest(String sku, Integer quantity) {
    }

    /** The body of a charge: {@code reservation} or {@code sku} say what it pays for, when the caller knows. */
    public record ChargeRequest(Double amount, String currency, String reservation, String sku) {
    }

    /** The body of a shipment: what is sent, for which order. */
    public record ShipmentRequest(String sku, Integer quantity, String order) {
    }

    private final boolean enabled;
    private final int stock;
    private final double cardLimit;
    private final Optional<byte[]> paymentsApiKey;
    private final KeyedEffects reservations;
    private final KeyedEffects charges;
    private final KeyedEffects shipments;

    @Inject
    public ShopSimulatorResource(@ConfigProperty(name = "shop.simulator.enabled", defaultValue = "false") boolean enabled,
                                 @ConfigProperty(name = "shop.simulator.stock", defaultValue = "100") int stock,
                                 @ConfigProperty(name = "shop.simulator.card-limit", defaultValue = "500") double cardLimit,
                                 // the key the saga sends to the payment provider: in the demo, a demo value (see localdefaults.LocalDefaults)
                                 @ConfigProperty(name = "saga.secret.payments-api-key") Optional<String> paymentsApiKey,
                                 @ConfigProperty(name = "shop.simulator.max-entries", defaultValue = "10000") int maxEntries) {
        this.enabled = enabled;
        this.stock = stock;
        this.cardLimit = cardLimit;
        this.paymentsApiKey = paymentsApiKey.map(k -> k.getBytes(StandardCharsets.UTF_8));
        this.reservations = new KeyedEffects("res-", maxEntries);
        this.charges = new KeyedEffects("ch-", maxEntries);
        this.shipments = new KeyedEffects("sh-", maxEntries);
    }

    @POST
    @Path("inventory/reservations")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reserve(@HeaderParam("Idempotency-Key") String key, ReservationRequest request) {
        if (!enabled) {
            return absent();
        }
        if (request == null || !parcel(key, request.sku(), request.quantity())) {
            return badParcel();
        }
        Map<String, Object> details = parcelDetails(request.sku(), request.quantity());
        return answer(reservations.make(key, details, made -> {
            int reserved = StreamSupport.stream(made.spliterator(), false)
                    .filter(e -> e.state() == KeyedEffects.State.MADE && request.sku().equals(e.details().get("sku")))
                    .mapToInt(e -> (Integer) e.details().get("quantity")).sum();
            return reserved + request.quantity() > stock ? Optional.of("OUT_OF_STOCK") : Optional.empty();
        }), "RESERVED", "RELEASED", Status.CONFLICT);
    }

    @DELETE
    @Path("inventory/reservations/{key}")
    public Response release(@PathParam("key") String key) {
        return enabled ? Response.ok(view(reservations.undo(key), "RESERVED", "RELEASED")).build() : absent();
    }

    @GET
    @Path("inventory/reservations/{key}")
    public Response reservation(@PathParam("key") String key) {
        return enabled ? found(reservations.find(key), "RESERVED", "RELEASED") : absent();
    }

    @POST
    @Path("payments/charges")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response charge(@HeaderParam("X-Api-Key") String apiKey, @HeaderParam("Idempotency-Key") String key, ChargeRequest request) {
        if (!enabled) {
            return absent();
        }
        if (!authentic(apiKey)) {
            return problem(Status.UNAUTHORIZED, "UNAUTHORIZED", "bad or missing X-Api-Key");
        }
        if (blank(key) || request == null || request.amount() == null || request.amount() <= 0 || blank(request.currency())) {
            return problem(Status.BAD_REQUEST, "BAD_REQUEST", "an Idempotency-Key and {\"amount\" > 0, \"currency\"} are required");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("amount", request.amount());
        details.put("currency", request.currency());
        if (request.reservation() != null) {
            details.put("reservation", request.reservation());
        }
        if (request.sku() != null) {
            details.put("sku", request.sku());
        }
        return answer(charges.make(key, details, made -> request.amount() > cardLimit ? Optional.of("DECLINED") : Optional.empty()),
                "CHARGED", "REFUNDED", Status.PAYMENT_REQUIRED);
    }

    @POST
    @Path("payments/charges/{key}/refund")
    public Response refund(@HeaderParam("X-Api-Key") String apiKey, @PathParam("key") String key) {
        if (!enabled) {
            return absent();
        }
        return authentic(apiKey) ? Response.ok(view(charges.undo(key), "CHARGED", "REFUNDED")).build()
                : problem(Status.UNAUTHORIZED, "UNAUTHORIZED", "bad or missing X-Api-Key");
    }

    @GET
    @Path("payments/charges/{key}")
    public Response charge(@HeaderParam("X-Api-Key") String apiKey, @PathParam("key") String key) {
        if (!enabled) {
            return absent();
        }
        return authentic(apiKey) ? found(charges.find(key), "CHARGED", "REFUNDED")
                : problem(Status.UNAUTHORIZED, "UNAUTHORIZED", "bad or missing X-Api-Key");
    }

    @POST
    @Path("shipping/shipments")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response ship(@HeaderParam("Idempotency-Key") String key, ShipmentRequest request) {
        if (!enabled) {
            return absent();
        }
        if (request == null || !parcel(key, request.sku(), request.quantity())) {
            return badParcel();
        }
        Map<String, Object> details = parcelDetails(request.sku(), request.quantity());
        if (request.order() != null) {
            details.put("order", request.order());
        }
        // a carrier takes any parcel; only a full simulator refuses (429)
        return answer(shipments.make(key, details, made -> Optional.empty()), "BOOKED", "CANCELLED", Status.CONFLICT);
    }

    @DELETE
    @Path("shipping/shipments/{key}")
    public Response cancelShipment(@PathParam("key") String key) {
        return enabled ? Response.ok(view(shipments.undo(key), "BOOKED", "CANCELLED")).build() : absent();
    }

    @GET
    @Path("shipping/shipments/{key}")
    public Response shipment(@PathParam("key") String key) {
        return enabled ? found(shipments.find(key), "BOOKED", "CANCELLED") : absent();
    }

    /** A reservation and a shipment are both a parcel: a key, a SKU and a quantity of at least one. */
    private static boolean parcel(String key, String sku, Integer quantity) {
        return !blank(key) && !blank(sku) && quantity != null && quantity >= 1;
    }

    private static Response badParcel() {
        return problem(Status.BAD_REQUEST, "BAD_REQUEST", "an Idempotency-Key and {\"sku\", \"quantity\" >= 1} are required");
    }

    private static Map<String, Object> parcelDetails(String sku, int quantity) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sku", sku);
        details.put("quantity", quantity);
        return details;
    }

    /**
     * A repeat of a request answers what the first made; a repeat of one that was undone meanwhile is refused, so
     * the effect is not made again behind the saga's back.
     */
    private static Response answer(KeyedEffects.Outcome outcome, String madeWord, String undoneWord, Status refusal) {
        if (outcome instanceof KeyedEffects.Made made) {
            return Response.status(Status.CREATED).entity(view(made.effect(), madeWord, undoneWord)).build();
        }
        if (outcome instanceof KeyedEffects.Repeated repeated) {
            Status status = repeated.effect().state() == KeyedEffects.State.MADE ? Status.OK : Status.CONFLICT;
            return Response.status(status).entity(view(repeated.effect(), madeWord, undoneWord)).build();
        }
        String reason = ((KeyedEffects.Refused) outcome).reason();
        return problem("FULL".equals(reason) ? Status.TOO_MANY_REQUESTS : refusal, reason,
                "FULL".equals(reason) ? "the simulator is full (shop.simulator.max-entries)" : null);
    }

    private static Map<String, Object> view(KeyedEffects.Effect effect, String madeWord, String undoneWord) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (effect.id() != null) {
            body.put("id", effect.id());
        }
        body.put("status", effect.state() == KeyedEffects.State.MADE ? madeWord : undoneWord);
        body.putAll(effect.details());
        return body;
    }

    private static Response found(Optional<KeyedEffects.Effect> effect, String madeWord, String undoneWord) {
        return effect.map(e -> Response.ok(view(e, madeWord, undoneWord)).build())
                .orElseGet(() -> problem(Status.NOT_FOUND, "NOT_FOUND", null));
    }

    private boolean authentic(String apiKey) {
        // constant time: the simulator should not teach callers that timing leaks are fine
        return apiKey != null && paymentsApiKey.map(k -> MessageDigest.isEqual(k, apiKey.getBytes(StandardCharsets.UTF_8))).orElse(false);
    }

    private static Response problem(Status status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", code);
        if (message != null) {
            body.put("message", message);
        }
        return Response.status(status).entity(body).build();
    }

    private static Response absent() {
        return Response.status(Status.NOT_FOUND).build();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
