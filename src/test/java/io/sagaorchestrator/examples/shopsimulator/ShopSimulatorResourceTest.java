package io.sagaorchestrator.examples.shopsimulator;

import io.sagaorchestrator.examples.shopsimulator.ShopSimulatorResource.ChargeRequest;
import io.sagaorchestrator.examples.shopsimulator.ShopSimulatorResource.ReservationRequest;
import io.sagaorchestrator.examples.shopsimulator.ShopSimulatorResource.ShipmentRequest;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The simulator's answers, called directly: the routes and JSON are Quarkus's business. */
class ShopSimulatorResourceTest {

    private static final String API_KEY = "demo-key";

    private static ShopSimulatorResource shop(boolean enabled, int stock) {
        return new ShopSimulatorResource(enabled, stock, 500, Optional.of(API_KEY), 10_000);
    }

    @SuppressWarnings("unchecked")
    private static Object field(Response response, String name) {
        return ((Map<String, Object>) response.getEntity()).get(name);
    }

    @Test
    void aRepeatedReservationAnswersTheFirstAndTakesNoMoreStock() {
        // given a SKU with 5 units, 3 of them reserved with key k1
        ShopSimulatorResource shop = shop(true, 5);
        Response first = shop.reserve("k1", new ReservationRequest("SKU-1", 3));

        // when the same request is repeated (its answer was lost) and another order asks for 2 units
        Response repeated = shop.reserve("k1", new ReservationRequest("SKU-1", 3));
        Response other = shop.reserve("k2", new ReservationRequest("SKU-1", 2));

        // then the repeat answers the first reservation, and the stock still had room for exactly the other 2
        assertEquals(201, first.getStatus());
        assertEquals(200, repeated.getStatus());
        assertEquals(field(first, "id"), field(repeated, "id"));
        assertEquals(201, other.getStatus());
        assertEquals("OUT_OF_STOCK", field(shop.reserve("k3", new ReservationRequest("SKU-1", 1)), "status"));
    }

    @Test
    void aReleaseBeforeItsReservationArrivesRefusesTheLateReservation() {
        // given a saga that released by key a reservation whose request is still in flight
        ShopSimulatorResource shop = shop(true, 5);
        Response released = shop.release("k1");

        // when the late reservation arrives
        Response late = shop.reserve("k1", new ReservationRequest("SKU-1", 1));

        // then it is refused as released, and holds no stock
        assertEquals("RELEASED", field(released, "status"));
        assertEquals(409, late.getStatus());
        assertEquals("RELEASED", field(late, "status"));
        assertEquals(201, shop.reserve("k2", new ReservationRequest("SKU-1", 5)).getStatus());
    }

    @Test
    void aRefusedReservationLeavesNoMarkSoItsKeyMayReserveLater() {
        // given a SKU whose stock is taken
        ShopSimulatorResource shop = shop(true, 1);
        shop.reserve("k1", new ReservationRequest("SKU-1", 1));
        assertEquals(409, shop.reserve("k2", new ReservationRequest("SKU-1", 1)).getStatus());

        // when the stock is released and k2 asks again
        shop.release("k1");
        Response again = shop.reserve("k2", new ReservationRequest("SKU-1", 1));

        // then k2 gets it
        assertEquals(201, again.getStatus());
    }

    @Test
    void chargesWantTheApiKeyAreDeclinedAboveTheLimitAndRefundOnce() {
        // given the payment simulator
        ShopSimulatorResource shop = shop(true, 5);

        // when charges are made without the key, above the card limit, and within it, then refunded twice
        Response noKey = shop.charge(null, "c1", new ChargeRequest(10.0, "EUR", null, null));
        Response declined = shop.charge(API_KEY, "c2", new ChargeRequest(900.0, "EUR", null, null));
        Response charged = shop.charge(API_KEY, "c3", new ChargeRequest(10.0, "EUR", null, null));
        Response refunded = shop.refund(API_KEY, "c3");
        Response refundedAgain = shop.refund(API_KEY, "c3");

        // then
        assertEquals(401, noKey.getStatus());
        assertEquals(402, declined.getStatus());
        assertEquals("DECLINED", field(declined, "status"));
        assertEquals(201, charged.getStatus());
        assertEquals("REFUNDED", field(refunded, "status"));
        assertEquals(field(refunded, "id"), field(refundedAgain, "id"));
        assertEquals("REFUNDED", field(shop.charge(API_KEY, "c3"), "status"));
    }

    @Test
    void aShipmentIsBookedOncePerKeyAndACancelledOneIsNotBookedAgainByALateRepeat() {
        // given a shipment booked with key s1, its answer lost
        ShopSimulatorResource shop = shop(true, 5);
        Response booked = shop.ship("s1", new ShipmentRequest("SKU-1", 2, "order-1"));

        // when the saga repeats it, then cancels it by the key, and a retry still in flight arrives after the cancel
        Response repeated = shop.ship("s1", new ShipmentRequest("SKU-1", 2, "order-1"));
        Response cancelled = shop.cancelShipment("s1");
        Response late = shop.ship("s1", new ShipmentRequest("SKU-1", 2, "order-1"));

        // then the repeat answers the first booking, and the cancelled shipment stays cancelled
        assertEquals(201, booked.getStatus());
        assertEquals(200, repeated.getStatus());
        assertEquals(field(booked, "id"), field(repeated, "id"));
        assertEquals("CANCELLED", field(cancelled, "status"));
        assertEquals(409, late.getStatus());
        assertEquals("CANCELLED", field(shop.shipment("s1"), "status"));
    }

    @Test
    void aDisabledSimulatorAnswersABare404() {
        // given a simulator that is off (production)
        ShopSimulatorResource shop = shop(false, 5);

        // when anything is asked, then it is as if absent
        assertEquals(404, shop.reserve("k1", new ReservationRequest("SKU-1", 1)).getStatus());
        assertEquals(404, shop.charge(API_KEY, "c1", new ChargeRequest(1.0, "EUR", null, null)).getStatus());
        assertEquals(404, shop.refund(API_KEY, "c1").getStatus());
        assertEquals(404, shop.ship("s1", new ShipmentRequest("SKU-1", 1, null)).getStatus());
        assertEquals(null, shop.release("k1").getEntity());
    }
}
