package io.sagaorchestrator.web;

import io.sagaorchestrator.store.InvalidParameterException;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Locale;
import java.util.UUID;

/**
 * Numbers and booleans of query, header and form parameters, read strictly. JAX-RS answers 404 for a query value it
 * cannot convert (e.g. {@code limit=99999999999}, past what an int holds) and reads {@code retrying=maybe} as false;
 * these answer 400 naming the parameter and the values it takes. Values in range are then checked by the
 * parameter's {@code @Min}/{@code @Max} as before (with {@code violations} naming it). A path's id that is not a UUID
 * is answered 404 saying so, where JAX-RS says only "HTTP 404 Not Found".
 */
@Provider
public class StrictParamConverters implements ParamConverterProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        if (rawType == UUID.class) {
            String path = pathParameterName(annotations);
            return path == null ? null : (ParamConverter<T>) new Id(path);
        }
        String name = parameterName(annotations);
        if (name == null) {
            return null;
        }
        if (rawType == Integer.class || rawType == int.class) {
            return (ParamConverter<T>) new Whole(name, Math.max(min(annotations), Integer.MIN_VALUE),
                    Math.min(max(annotations), Integer.MAX_VALUE), true);
        }
        if (rawType == Long.class || rawType == long.class) {
            return (ParamConverter<T>) new Whole(name, min(annotations), max(annotations), false);
        }
        if (rawType == Boolean.class || rawType == boolean.class) {
            return (ParamConverter<T>) new Truth(name);
        }
        return null;
    }

    /** A whole number the type can hold; whether it is in the parameter's range is {@code @Min}/{@code @Max}'s to say. */
    private record Whole(String name, long min, long max, boolean isInt) implements ParamConverter<Number> {

        @Override
        public Number fromString(String text) {
            try {
                long value = Long.parseLong(text.strip());
                if (isInt) {
                    return Math.toIntExact(value);
                }
                return value;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new InvalidParameterException(name, "'" + text + "' is not a whole number from " + min + " to " + max);
            }
        }

        @Override
        public String toString(Number value) {
            return value.toString();
        }
    }

    private record Truth(String name) implements ParamConverter<Boolean> {

        @Override
        public Boolean fromString(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new InvalidParameterException(name, "'" + text + "' is neither true nor false");
            };
        }

        @Override
        public String toString(Boolean value) {
            return value.toString();
        }
    }

    /** A UUID in the path: anything else names no saga (no bulk job), and the answer says why. */
    private record Id(String name) implements ParamConverter<UUID> {

        @Override
        public UUID fromString(String text) {
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new NotAnIdException(name, text);
            }
        }

        @Override
        public String toString(UUID value) {
            return value.toString();
        }
    }

    private static String pathParameterName(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof PathParam p) {
                return p.value();
            }
        }
        return null;
    }

    private static String parameterName(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof QueryParam q) {
                return q.value();
            }
            if (a instanceof HeaderParam h) {
                return h.value();
            }
            if (a instanceof FormParam f) {
                return f.value();
            }
        }
        return null;
    }

    private static long min(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof Min m) {
                return m.value();
            }
        }
        return Long.MIN_VALUE;
    }

    private static long max(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof Max m) {
                return m.value();
            }
        }
        return Long.MAX_VALUE;
    }
}
