package io.sagaorchestrator.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifest Quarkus generates at package time (target/kubernetes/), and the copy in docker/kubernetes/ that
 * users apply without building. An IT because the manifest exists only after {@code package}.
 */
class KubernetesManifestIT {

    private static final Path GENERATED = Path.of("target/kubernetes/kubernetes.yml");
    private static final Path SHIPPED = Path.of("docker/kubernetes/saga-orchestrator.yml");
    private static final Path CONFIG_EXAMPLE = Path.of("docker/kubernetes/config.example.yaml");

    @Test
    void theShippedCopyIsTheManifestTheBuildGenerates() throws IOException {
        // given the manifest of this build and the copy in docker/kubernetes (comments aside)
        // then they are the same: whoever changes quarkus.kubernetes.* copies target/kubernetes/kubernetes.yml there
        assertEquals(withSortedEnvFrom(documents(GENERATED)), withSortedEnvFrom(documents(SHIPPED)),
                "docker/kubernetes/saga-orchestrator.yml differs from target/kubernetes/kubernetes.yml: copy it over");
    }

    /** The generator lists the ConfigMap and the Secret in either order from one build to the next; the pods get the same. */
    private static List<JsonNode> withSortedEnvFrom(List<JsonNode> documents) {
        documents.forEach(d -> d.findParents("envFrom").forEach(parent -> {
            ArrayNode from = (ArrayNode) parent.get("envFrom");
            List<JsonNode> sorted = new ArrayList<>();
            from.forEach(sorted::add);
            sorted.sort(Comparator.comparing(JsonNode::toString));
            from.removeAll().addAll(sorted);
        }));
        return documents;
    }

    @Test
    void severalReplicasProbedOnTheHealthEndpointsWithSecretsFromASecretOnly() throws IOException {
        // given the generated Deployment
        JsonNode deployment = documents(GENERATED).stream().filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst().orElseThrow();
        JsonNode container = deployment.at("/spec/template/spec/containers/0");

        // then it runs several replicas, each probed on the SmallRye Health endpoints
        assertTrue(deployment.at("/spec/replicas").asInt() >= 2, "replicas");
        assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/started", container.at("/startupProbe/httpGet/path").asText());
        // and takes its configuration from the Secret and the ConfigMap, with a memory limit
        assertEquals("saga-orchestrator-secrets", container.at("/envFrom").findValue("secretRef").path("name").asText());
        assertEquals("saga-orchestrator-config", container.at("/envFrom").findValue("configMapRef").path("name").asText());
        assertFalse(container.at("/resources/limits/memory").asText().isEmpty(), "memory limit");
        // and holds no value of any setting: those are the Secret's and the ConfigMap's
        Set<String> literal = new TreeSet<>();
        container.path("env").forEach(e -> {
            if (e.has("value")) {
                literal.add(e.path("name").asText());
            }
        });
        assertEquals(Set.of(), literal, "environment variables with a value in the manifest");
    }

    @Test
    void theConfigurationExampleHoldsNoSecret() throws IOException {
        // given the ConfigMap example users edit and apply (the secrets go in with kubectl create secret, see README)
        List<JsonNode> objects = documents(CONFIG_EXAMPLE);

        // then it is the ConfigMap the manifest reads, and no key of it is a secret
        assertEquals(1, objects.size());
        assertEquals("ConfigMap", objects.get(0).path("kind").asText());
        assertEquals("saga-orchestrator-config", objects.get(0).at("/metadata/name").asText());
        objects.get(0).path("data").fieldNames().forEachRemaining(key -> assertFalse(
                key.matches(".*(PASSWORD|SECRET|ENCRYPTION_KEY|_USERS_[A-Z0-9_]+)$") && !key.contains("_ROLES_"),
                key + " is a secret: it belongs in the Secret saga-orchestrator-secrets"));
    }

    private static List<JsonNode> documents(Path yaml) throws IOException {
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml.toFile())) {
            return docs.readAll().stream().filter(d -> !d.isNull() && !d.isEmpty()).toList();
        }
    }
}
