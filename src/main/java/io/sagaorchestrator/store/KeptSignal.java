package io.sagaorchestrator.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** A signal kept for a saga's await, not refused: what the await takes when the saga stands on it. */
public record KeptSignal(String name, String signalId, JsonNode payload, String sender, Instant receivedAt) {
}
