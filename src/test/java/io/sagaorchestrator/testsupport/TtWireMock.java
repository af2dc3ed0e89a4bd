package io.sagaorchestrator.testsupport;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A WireMock double of the third parties (TT at the root, the SMS gateway under {@code /sms}, the CRM
 * under {@code /crm}, the shop of the test definitions' declared calls under {@code /shop}) and of the escalation webhook ({@code /alerts}), one per
 * test JVM. Tests program it through its admin API ({@link #client()}): Quarkus may load this class
 * and the tests in different class loaders, so they share the port through a system property.
 */
public class TtWireMock implements QuarkusTestResourceLifecycleManager {

    private static final String PORT = TtWireMock.class.getName() + ".port";

    public static WireMock client() {
        String port = System.getProperty(PORT);
        if (port == null) {
            throw new IllegalStateException("the TT double is not running: it starts with the first @QuarkusTest");
        }
        return new WireMock("127.0.0.1", Integer.parseInt(port));
    }

    @Override
    public synchronized Map<String, String> start() {
        if (System.getProperty(PORT) == null) {
            WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
            System.setProperty(PORT, Integer.toString(server.port()));
        }
        String base = "http://127.0.0.1:" + System.getProperty(PORT);
        return Map.of(
                "quarkus.rest-client.tt-user-api.url", base,
                "saga.http.sms-api.url", base + "/sms",
                "saga.http.crm-api.url", base + "/crm",
                "saga.http.inventory.url", base + "/inventory",
                "saga.http.payments.url", base + "/payments",
                "saga.http.shipping.url", base + "/shipping",
                "saga.http.test-shop.url", base + "/shop",
                "saga.escalation.webhook-url", base + "/alerts");
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; stopped by the shutdown hook
    }
}
