package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.legcramp.cds.support.CardRules;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.legcramp.cds.support.InProcessFhirServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Prefetch semantics against a real FHIR server: what the EHR leaves out is fetched with its
 * bearer token and gives the same cards; what cannot be had in time is a 412, never a hang.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FhirServerFetchTest {

    private static final String TOKEN = "test-access-token";
    private static InProcessFhirServer fhirServer;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startFhirServer() {
        fhirServer = new InProcessFhirServer(TOKEN);
    }

    @AfterAll
    static void stopFhirServer() throws Exception {
        fhirServer.close();
    }

    @TestFactory
    Stream<DynamicTest> sameCardsWithPrefetchAndWithFetchFromFhirServer() {
        CdsClient client = new CdsClient(port);
        return HookCase.all().stream().map(hookCase -> DynamicTest.dynamicTest(hookCase.displayName(), () -> {
            JsonNode prefetched = client.post("/cds-services/" + hookCase.service(), hookCase.request()).json();

            fhirServer.clear();
            fhirServer.storePrefetchOf(hookCase.request());
            ObjectNode withoutPrefetch = hookCase.request().deepCopy();
            withoutPrefetch.remove("prefetch");
            withoutPrefetch.put("fhirServer", fhirServer.baseUrl());
            withoutPrefetch.putObject("fhirAuthorization").put("access_token", TOKEN).put("token_type", "Bearer")
                    .put("expires_in", 300).put("scope", "user/*.read").put("subject", "cds-service");
            var fetched = client.post("/cds-services/" + hookCase.service(), withoutPrefetch);

            assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
            CardRules.assertValidResponse(fetched.json());
            assertThat(withoutUuids(fetched.json())).isEqualTo(withoutUuids(prefetched));
        }));
    }

    @Test
    void fetchedConditionsComeWithOnlyTheElementsTheRulesReadAndGiveTheSameCard() {
        String service = "liver-disease-cramps-baclofen-patient-view";
        ObjectNode request = HookCase.named("liver-disease-cramps-baclofen", "fires-cirrhosis-with-cramps").request();
        // what real charts carry besides what the rules read
        request.get("prefetch").get("conditions").get("entry").forEach(entry -> {
            ObjectNode condition = (ObjectNode) entry.get("resource");
            condition.putArray("category").addObject().putArray("coding").addObject()
                    .put("system", "http://terminology.hl7.org/CodeSystem/condition-category").put("code", "problem-list-item");
            condition.putArray("note").addObject().put("text", "seen in clinic");
        });
        fhirServer.clear();
        fhirServer.storePrefetchOf(request);
        request.put("fhirServer", fhirServer.baseUrl());
        request.putObject("fhirAuthorization").put("access_token", TOKEN).put("token_type", "Bearer");
        JsonNode prefetched = new CdsClient(port).post("/cds-services/" + service, request).json();
        String template = StreamSupport.stream(new CdsClient(port).get("/cds-services").json().get("services").spliterator(), false)
                .filter(s -> s.get("id").asText().equals(service)).findFirst().orElseThrow()
                .get("prefetch").get("conditions").asText();

        IGenericClient client = FhirContext.forR4Cached().newRestfulGenericClient(fhirServer.baseUrl());
        client.registerInterceptor(new BearerTokenAuthInterceptor(TOKEN));
        Bundle answered = client.fetchResourceFromUrl(Bundle.class, fhirServer.baseUrl() + "/"
                + template.replace("{{context.patientId}}", request.get("context").get("patientId").asText()).replace("|", "%7C"));
        assertThat(answered.getEntry()).isNotEmpty().allSatisfy(entry -> {
            Condition condition = (Condition) entry.getResource();
            assertThat(condition.getMeta().getTag("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "SUBSETTED")).isNotNull();
            assertThat(condition.hasCode()).isTrue();
            assertThat(condition.hasCategory() || condition.hasNote() || condition.hasText()).isFalse();
        });

        request.remove("prefetch");
        var fetched = new CdsClient(port).post("/cds-services/" + service, request);
        assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.json().get("cards")).hasSize(1);
        assertThat(withoutUuids(fetched.json())).isEqualTo(withoutUuids(prefetched));
    }

    @Test
    void missingPrefetchWithoutFhirServerIs412() {
        ObjectNode request = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        ((ObjectNode) request.get("prefetch")).remove("conditions");

        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign", request);

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("not-provided");
        assertThat(reply.json().get("detail").asText()).contains("conditions");
    }

    @Test
    void nullPrefetchMeansKnownAbsentAndIsNotFetched() {
        ObjectNode request = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        ((ObjectNode) request.get("prefetch")).putNull("conditions");

        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign", request);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("cards")).hasSize(1);
    }

    @Test
    void failedPrefetchIsFetchedFromTheFhirServer() {
        ObjectNode request = liverCaseServedBy(fhirServer.baseUrl(), TOKEN, true);
        ((ObjectNode) request.get("prefetch")).putObject("conditions").put("resourceType", "OperationOutcome")
                .putArray("issue").addObject().put("severity", "error").put("code", "timeout");

        var reply = new CdsClient(port).post("/cds-services/liver-disease-cramps-baclofen-patient-view", request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("cards")).hasSize(1);
    }

    @Test
    void wrongBearerTokenIs412() {
        ObjectNode request = liverCaseServedBy(fhirServer.baseUrl(), "not-the-token", false);

        var reply = new CdsClient(port).post("/cds-services/liver-disease-cramps-baclofen-patient-view", request);

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("http-status");
        assertThat(reply.json().get("detail").asText()).contains("HTTP 401");
    }

    @Test
    void unreachableFhirServerIs412() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var reply = withoutPrefetch("http://127.0.0.1:" + closedPort + "/fhir");

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("unreachable");
        assertThat(reply.json().get("detail").asText()).contains("could not be reached").doesNotContain("in time");
    }

    @Test
    void fhirServerThatNeverAnswersIs412WithinTheDeadline() throws IOException {
        // Copy-on-write: the acceptor may still add a socket while the test closes them.
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept, then never answer
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            // CdsClient gives up after 10 s: a hung service fails this test instead of hanging it.
            var reply = withoutPrefetch("http://127.0.0.1:" + silent.getLocalPort() + "/fhir");

            assertThat(reply.status()).isEqualTo(412);
            assertThat(reply.json().get("cause").asText()).isEqualTo("timed-out");
            assertThat(reply.json().get("detail").asText()).contains("did not answer within");
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void fhirServerAnsweringMalformedJsonIsA412NamingTheUnparseableBody() {
        var reply = withoutPrefetch(fhirServer.faultyBaseUrl(InProcessFhirServer.Fault.MALFORMED_JSON));

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("unparseable-body");
        assertThat(reply.json().get("detail").asText()).contains("not parseable JSON").doesNotContain("could not be reached");
    }

    @Test
    void fhirServerAnsweringJsonThatIsNotFhirIsA412NamingInvalidFhir() {
        var reply = withoutPrefetch(fhirServer.faultyBaseUrl(InProcessFhirServer.Fault.NOT_FHIR));

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("invalid-fhir");
        assertThat(reply.json().get("detail").asText()).contains("not valid FHIR");
    }

    @Test
    void fhirServerAnswering500IsA412NamingTheHttpStatus() {
        var reply = withoutPrefetch(fhirServer.faultyBaseUrl(InProcessFhirServer.Fault.SERVER_ERROR));

        assertThat(reply.status()).isEqualTo(412);
        assertThat(reply.json().get("cause").asText()).isEqualTo("http-status");
        assertThat(reply.json().get("detail").asText()).contains("HTTP 500");
    }

    private CdsClient.Reply withoutPrefetch(String fhirServerUrl) {
        return new CdsClient(port).post("/cds-services/liver-disease-cramps-baclofen-patient-view",
                liverCaseServedBy(fhirServerUrl, TOKEN, false));
    }

    /** The liver case, its data on the in-process FHIR server, pointing at {@code fhirServerUrl} with {@code token}. */
    private static ObjectNode liverCaseServedBy(String fhirServerUrl, String token, boolean keepPrefetch) {
        ObjectNode request = HookCase.named("liver-disease-cramps-baclofen", "fires-cirrhosis-with-cramps").request();
        fhirServer.clear();
        fhirServer.storePrefetchOf(request);
        if (!keepPrefetch) {
            request.remove("prefetch");
        }
        request.put("fhirServer", fhirServerUrl);
        request.putObject("fhirAuthorization").put("access_token", token).put("token_type", "Bearer");
        return request;
    }

    private static JsonNode withoutUuids(JsonNode response) {
        JsonNode copy = response.deepCopy();
        copy.get("cards").forEach(card -> {
            ((ObjectNode) card).remove("uuid");
            card.path("suggestions").forEach(s -> ((ObjectNode) s).remove("uuid"));
        });
        return copy;
    }
}
