package io.sagaorchestrator.definitions;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text of a declared call with {@code ${...}} references in it, e.g. {@code /reservations/${forward.output.id}}.
 *
 * @param parts literal texts ({@link String}) and references ({@link Reference}), in order
 */
public record Template(String text, List<Object> parts) {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");

    public Template {
        parts = List.copyOf(parts);
    }

    /** @throws TemplateException when a reference is not well formed */
    public static Template parse(String text) {
        List<Object> parts = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(text.substring(at, m.start()));
            }
            parts.add(Reference.parse(m.group(1)));
            at = m.end();
        }
        if (at < text.length()) {
            parts.add(text.substring(at));
        }
        if (parts.stream().anyMatch(p -> p instanceof String s && s.contains("${"))) {
            throw new TemplateException(text, "'" + text + "' has a '${' without its closing '}'");
        }
        return new Template(text, parts);
    }

    /** The one reference this text is, when it is nothing else: its value keeps its JSON type in a body. */
    public Reference whole() {
        return parts.size() == 1 && parts.get(0) instanceof Reference r ? r : null;
    }

    public List<Reference> references() {
        return parts.stream().filter(Reference.class::isInstance).map(Reference.class::cast).toList();
    }
}
