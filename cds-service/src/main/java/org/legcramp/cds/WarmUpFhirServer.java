package org.legcramp.cds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A loopback FHIR endpoint that lives only during the warm-up: it answers a read with an empty
 * resource of the type asked for and a search with a one-entry searchset Bundle, so the service's
 * own FHIR client path (HAPI's client and HTTP connection pool, the bearer interceptor, the Bundle
 * parser, the fetch threads) is loaded and compiled before the first EHR call needs it.
 */
final class WarmUpFhirServer implements AutoCloseable {

    private final HttpServer server;

    WarmUpFhirServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fhir/", WarmUpFhirServer::answer);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/fhir");
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring("/fhir/".length());
        String type = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
        String resource = "{\"resourceType\": \"" + type + "\", \"id\": \"warm-up\"}";
        String body = exchange.getRequestURI().getRawQuery() == null ? resource
                : "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"total\": 1, \"entry\": [{\"resource\": " + resource + "}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/fhir+json;charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
