package io.sagaorchestrator.store;

import jakarta.ws.rs.BadRequestException;

/** A query, header or form value the service cannot use: answered as invalid input naming the parameter. */
public class InvalidParameterException extends BadRequestException {

    private final String parameter;
    private final String problem;

    /** @param problem what is wrong with the value and what it must be, e.g. {@code 'x' is not a UTC time (write e.g. ...)} */
    public InvalidParameterException(String parameter, String problem) {
        super(parameter + " " + problem);
        this.parameter = parameter;
        this.problem = problem;
    }

    public String parameter() {
        return parameter;
    }

    public String problem() {
        return problem;
    }
}
