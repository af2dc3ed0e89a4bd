package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What a {@code forEach} group runs over: the list {@code items} reads (from the saga's input or an earlier step's output),
 * at most {@code maxItems} long. The group holds one branch per possible item, named {@code <step>[<index>]}; a saga runs
 * those its list has and records the others skipped. The list is read again from what the saga recorded whenever it is
 * needed (the run, recovery, an undo, an operator's plan), so every reading finds the same items.
 *
 * @param assumedFull whether the list is taken to be full ({@code maxItems} items) whatever the saga holds: for walking the
 *                    paths of a definition without a saga, as {@link Condition#assuming} does for a condition
 */
public record ForEach(Reference items, int maxItems, boolean assumedFull) {

    /** Each item is a branch of its own in the saga's log and views: a bound keeps a definition readable and a saga small. */
    public static final int MOST_ITEMS = 50;

    public ForEach {
        Objects.requireNonNull(items, "items");
        if (items.root() != Reference.Root.INPUT && items.root() != Reference.Root.STEPS) {
            throw new TemplateException(items.text(), "forEach.items " + items.text() + " must read a list of the input"
                    + " (${input.<field>}) or of an earlier step's output (${steps.<step>.output.<field>})");
        }
        if (items.path().isEmpty()) {
            throw new TemplateException(items.text(), "forEach.items " + items.text() + " must name the field that holds the list");
        }
        if (maxItems < 1 || maxItems > MOST_ITEMS) {
            throw new IllegalArgumentException("forEach.maxItems must be 1 to " + MOST_ITEMS + ", got " + maxItems
                    + ": each item runs as a branch of its own");
        }
    }

    /** A list read from the saga. */
    public ForEach(Reference items, int maxItems) {
        this(items, maxItems, false);
    }

    /** This list, taken to hold {@code maxItems} items (empty objects) whatever the saga holds. */
    public ForEach assumingFull() {
        return new ForEach(items, maxItems, true);
    }

    /** The input field the list is, when it is one of the input's: checked when the saga is started. */
    public String inputField() {
        return items.root() == Reference.Root.INPUT && items.path().size() == 1 ? items.path().get(0) : null;
    }

    /**
     * The items, read from the saga's input and the outputs of its steps.
     *
     * @throws IllegalStateException when {@code items} has no value, is not a list, or holds more than {@code maxItems}
     */
    public List<JsonNode> itemsOf(JsonNode input, Map<String, JsonNode> outputs) {
        if (assumedFull) {
            return IntStream.range(0, maxItems).mapToObj(i -> (JsonNode) JsonNodeFactory.instance.objectNode()).toList();
        }
        JsonNode list = items.root() == Reference.Root.INPUT ? input : outputs.get(items.step());
        for (String field : items.path()) {
            list = list == null ? null : list.get(field);
        }
        if (list == null || list.isNull() || list.isMissingNode()) {
            throw new IllegalStateException(items.text() + " has no value");
        }
        if (!list.isArray()) {
            throw new IllegalStateException(items.text() + " is not a list");
        }
        if (list.size() > maxItems) {
            throw new IllegalStateException(items.text() + " holds " + list.size() + " items, more than the " + maxItems
                    + " its forEach takes (maxItems)");
        }
        List<JsonNode> all = new ArrayList<>();
        list.forEach(all::add);
        return all;
    }

    /** The name of the branch that runs item {@code index} of step {@code step}. */
    public static String itemName(String step, int index) {
        return step + "[" + index + "]";
    }

    /** The name of the step written in the forEach, which the branch {@code item} runs for its item. */
    public static String stepName(String item) {
        return item.substring(0, item.lastIndexOf('['));
    }

    /** The item a branch runs: its place in the list. */
    public record Item(ForEach forEach, int index) {
        public Item {
            Objects.requireNonNull(forEach, "forEach");
            if (index < 0 || index >= forEach.maxItems()) {
                throw new IllegalArgumentException("item " + index + " lies outside its forEach's " + forEach.maxItems());
            }
        }
    }
}
