package io.sagaorchestrator.definitions;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code ${...}} of a template: a root and the path under it.
 *
 * <ul>
 *   <li>{@code input.<field>...}: the saga's input</li>
 *   <li>{@code steps.<earlier step>.output.<field>...}: an earlier step's output</li>
 *   <li>{@code forward.output.<field>...}: in a compensation, the output of the step it undoes</li>
 *   <li>{@code saga.id}, {@code step.idempotencyKey}</li>
 *   <li>{@code secret.<key>}: configuration {@code saga.secret.<key>}, in headers only</li>
 *   <li>{@code item}, {@code item.<field>...}, {@code index}: in a {@code forEach}'s step, its item and the item's place
 *   in the list (from 0)</li>
 * </ul>
 *
 * @param step  the step named by {@code steps.<step>}, else null
 * @param path  the fields under the root (under {@code output} for steps and forward), or the secret's key
 */
public record Reference(String text, Root root, String step, List<String> path) {

    public enum Root { INPUT, STEPS, FORWARD, SAGA_ID, IDEMPOTENCY_KEY, SECRET, ITEM, INDEX }

    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern SECRET_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Set<String> ROOTS = Set.of("input", "steps", "forward", "saga", "step", "secret", "item", "index");

    public Reference {
        path = List.copyOf(path);
    }

    static Reference parse(String inner) {
        String text = "${" + inner + "}";
        String[] segments = inner.strip().split("\\.", -1);
        String root = segments[0];
        List<String> rest = List.of(segments).subList(1, segments.length);
        Reference r = switch (root) {
            case "input" -> new Reference(text, Root.INPUT, null, fields(text, rest));
            case "steps" -> {
                if (rest.size() < 2 || !rest.get(1).equals("output")) {
                    throw new TemplateException(text, text + " must read steps.<step>.output.<field>");
                }
                yield new Reference(text, Root.STEPS, rest.get(0), fields(text, rest.subList(2, rest.size())));
            }
            case "forward" -> {
                if (rest.isEmpty() || !rest.get(0).equals("output")) {
                    throw new TemplateException(text, text + " must read forward.output.<field>");
                }
                yield new Reference(text, Root.FORWARD, null, fields(text, rest.subList(1, rest.size())));
            }
            case "saga" -> exact(text, rest, "id", Root.SAGA_ID, "saga.id");
            case "item" -> new Reference(text, Root.ITEM, null, fields(text, rest));
            case "index" -> {
                if (!rest.isEmpty()) {
                    throw new TemplateException(text, text + " is not known: ${index} is the item's place in the list");
                }
                yield new Reference(text, Root.INDEX, null, List.of());
            }
            case "step" -> exact(text, rest, "idempotencyKey", Root.IDEMPOTENCY_KEY, "step.idempotencyKey");
            case "secret" -> {
                String key = String.join(".", rest);
                if (!SECRET_KEY.matcher(key).matches()) {
                    throw new TemplateException(text, text + " must read secret.<key> (letters, digits, '.', '_', '-')");
                }
                yield new Reference(text, Root.SECRET, null, List.of(key));
            }
            default -> throw new TemplateException(text, text + " starts with '" + root + "', which is not one of "
                    + String.join(", ", ROOTS.stream().sorted().toList()));
        };
        return r;
    }

    private static List<String> fields(String text, List<String> fields) {
        if (fields.stream().anyMatch(f -> !FIELD.matcher(f).matches())) {
            throw new TemplateException(text, text + " has an empty or invalid field name (letters, digits, '_', '-')");
        }
        return fields;
    }

    private static Reference exact(String text, List<String> rest, String only, Root root, String spelled) {
        if (rest.size() != 1 || !rest.get(0).equals(only)) {
            throw new TemplateException(text, text + " is not known: did you mean ${" + spelled + "}?");
        }
        return new Reference(text, root, null, List.of());
    }

    /** The secret's configuration key. */
    public String secretKey() {
        return HttpCall.SECRET_PREFIX + path.get(0);
    }
}
