package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CapturedLog;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The deadline covers the whole call: a chart the rules cannot get through in time is answered with
 * a 503 problem at the deadline, and the evaluation left behind stops instead of running on.
 * Nothing here is timed. The shipped rules are linear in the chart, so the slow rule is a toy: a
 * copy of the content whose new-diuretic condition compares every order with every other order
 * (25 million comparisons for 5,000 orders, minutes without a deadline).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "legcramp.request-deadline=4s", "legcramp.max-prefetch-resources=20000"})
class DeadlineTest {

    private static final String NEW_DIURETIC_SIGN = "/cds-services/new-diuretic-order-sign";
    private static final int ORDERS = 5000;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void slowRule(DynamicPropertyRegistry registry) throws IOException {
        Path repo = Path.of("..");
        Path slowContent = Path.of("target", "deadline-test-content");
        FileSystemUtils.deleteRecursively(slowContent);
        FileSystemUtils.copyRecursively(repo.resolve("cql"), slowContent.resolve("cql"));
        FileSystemUtils.copyRecursively(repo.resolve("fhir-resources/knowledge"), slowContent.resolve("fhir-resources/knowledge"));
        Path cql = slowContent.resolve("cql/NewDiuretic.cql");
        String quadratic = """
                define "New Thiazide Or Potassium-Sparing Diuretic":
                  exists ( from [MedicationRequest] A, [MedicationRequest] B where A.id = B.id + 'never' )
                """;
        Files.writeString(cql, Files.readString(cql).replaceFirst(
                "(?s)define \"New Thiazide Or Potassium-Sparing Diuretic\":.*?(?=\n\ndefine)", quadratic.strip()));
        registry.add("legcramp.content-location", () -> slowContent.toAbsolutePath().toUri().toString());
    }

    @Autowired
    MeterRegistry metrics;

    @Autowired
    @Qualifier("hookEvaluationPool")
    ExecutorService evaluationPool;

    @Test
    void chartTooLargeToEvaluateInTimeGetsA503AndItsEvaluationStops() {
        ObjectNode request = HookCase.named("new-diuretic", "silent-thiazide-renewal").request();
        request.with("prefetch").set("medicationRequests", ordersReferencingMedications(request.at("/context/patientId").asText()));

        // The engine logs the evaluation it was made to abandon as an error: expected here, so kept off the console.
        try (CapturedLog engineLog = CapturedLog.of("org.opencds.cqf.cql.engine")) {
            var reply = new CdsClient(port).post(NEW_DIURETIC_SIGN, request);

            assertThat(reply.status()).as(reply.body()).isEqualTo(503);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.json().get("detail").asText()).contains("deadline");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(metrics.counter("legcramp.hook.evaluations.abandoned", "service", "new-diuretic-order-sign").count())
                        .isEqualTo(1.0);
                assertThat(((ThreadPoolExecutor) evaluationPool).getActiveCount()).isZero();
            });
            assertThat(engineLog.lines()).anyMatch(line -> line.contains("Evaluation abandoned"));
        }
    }

    /** A searchset of active orders, each naming its drug by reference to a Medication of its own. */
    private static ObjectNode ordersReferencingMedications(String patientId) {
        ObjectNode bundle = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        bundle.put("resourceType", "Bundle").put("type", "searchset");
        ArrayNode entries = bundle.putArray("entry");
        for (int i = 0; i < ORDERS; i++) {
            ObjectNode order = entries.addObject().putObject("resource");
            order.put("resourceType", "MedicationRequest").put("id", "mr-" + i).put("status", "active").put("intent", "order")
                    .put("authoredOn", "2025-01-01");
            order.putObject("subject").put("reference", "Patient/" + patientId);
            order.putObject("medicationReference").put("reference", "Medication/med-" + i);
            ObjectNode medication = entries.addObject().putObject("resource");
            medication.put("resourceType", "Medication").put("id", "med-" + i);
            medication.putObject("code").putArray("coding").addObject()
                    .put("system", "http://www.nlm.nih.gov/research/umls/rxnorm").put("code", "29046");
        }
        return bundle;
    }
}
