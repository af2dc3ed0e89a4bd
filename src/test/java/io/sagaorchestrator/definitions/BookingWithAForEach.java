package io.sagaorchestrator.definitions;

/**
 * The definition the tests of a forEach's picture, walk and page read: hold a flight, then assign each seat of the input
 * (group {@code seats}, at most 3), then save the order here. Its steps are the hold (0), the seats' items (1 to 3) and the
 * save (4).
 */
public final class BookingWithAForEach {

    /** Its YAML; {@code %s} takes keys of the forEach (e.g. {@code "      maxConcurrency: 2\n"}), or nothing. */
    public static final String YAML = """
            name: booking
            version: 1
            steps:
              - name: hold-flight
                type: remote
                http: { method: POST, target: airline, path: /holds }
                compensation:
                  http: { method: DELETE, target: airline, path: "/holds/${step.idempotencyKey}" }
              - forEach:
                  name: seats
                  items: ${input.seats}
                  maxItems: 3
            %s      step:
                    name: assign-seat
                    type: remote
                    http: { method: PUT, target: airline, path: "/seats/${item.number}" }
                    compensation:
                      http: { method: DELETE, target: airline, path: "/seats/${item.number}" }
              - name: save-order
                type: local
                action: saveLiaison
            """;

    private BookingWithAForEach() {
    }

    /** The definition with these keys of its forEach. */
    public static SagaDefinition withForEachKeys(String forEachKeys) {
        return new DefinitionParser(NamedActions.SHIPPED).parse("booking.yaml", YAML.formatted(forEachKeys));
    }
}
