package io.sagaorchestrator.web;

import jakarta.ws.rs.NotFoundException;

/** A path names a saga (or a bulk job) by something that is not a UUID, so it names nothing. */
public class NotAnIdException extends NotFoundException {

    /** What ids look like, for the message. */
    static final String EXAMPLE = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";

    public NotAnIdException(String parameter, String text) {
        super("The " + parameter + " in the path, '" + text + "', is not a UUID: ids look like " + EXAMPLE);
    }
}
