package io.sagaorchestrator.core;

public enum Direction {
    FORWARD,
    COMPENSATION
}
