package io.sagaorchestrator.sagalog;

public enum Direction {
    FORWARD,
    COMPENSATION
}
