package io.sagaorchestrator.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An ObjectMapper that counts the conversions the hot path is meant to make once: tree to record, and value to text. */
public final class CountingObjectMapper extends ObjectMapper {

    public int treeToValue;
    public int writeValueAsString;

    @Override
    public <T> T treeToValue(TreeNode n, Class<T> valueType) throws JsonProcessingException {
        treeToValue++;
        return super.treeToValue(n, valueType);
    }

    @Override
    public String writeValueAsString(Object value) throws JsonProcessingException {
        writeValueAsString++;
        return super.writeValueAsString(value);
    }
}
