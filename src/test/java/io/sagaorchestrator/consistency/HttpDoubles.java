package io.sagaorchestrator.consistency;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/** What the in-JVM doubles of third parties share: their server, their latency, their JSON answers. */
final class HttpDoubles {

    static {
        // small JSON exchanges on keep-alive connections: without it each answer waits for the peer's delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpDoubles() {
    }

    /** Daemon threads, so a double left open never keeps the test JVM alive. */
    static ExecutorService threads(String name) {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A server on a free loopback port, not started yet (its contexts come first). */
    static HttpServer server(ExecutorService threads) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.setExecutor(threads);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sleeps between {@code minMillis} and {@code maxMillis}; no latency when the maximum is 0. */
    static void pause(int minMillis, int maxMillis) {
        if (maxMillis > 0) {
            try {
                Thread.sleep(minMillis + ThreadLocalRandom.current().nextInt(Math.max(1, maxMillis - minMillis + 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
