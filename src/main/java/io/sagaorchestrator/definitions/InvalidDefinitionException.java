package io.sagaorchestrator.definitions;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A saga definition that cannot be run; the message names the file, the place and the fault. */
public final class InvalidDefinitionException extends RuntimeException {

    private static final Pattern LINE = Pattern.compile("^line (\\d+)");

    private final String file;
    private final int line;
    private final String fault;

    public InvalidDefinitionException(String file, String place, String fault) {
        super("Invalid saga definition " + file + (place.isEmpty() ? "" : ", " + place) + ": " + fault);
        this.file = file;
        Matcher at = LINE.matcher(place);
        this.line = at.find() ? Integer.parseInt(at.group(1)) : 0;
        this.fault = fault;
    }

    public String file() {
        return file;
    }

    /** The line the fault is on, from 1; 0 when it concerns the whole file. */
    public int line() {
        return line;
    }

    /** What is wrong, without the file and place. */
    public String fault() {
        return fault;
    }
}
