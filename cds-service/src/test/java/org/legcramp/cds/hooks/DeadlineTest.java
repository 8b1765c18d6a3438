package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The deadline covers the whole call: a chart the rules cannot get through in time is answered with
 * a 503 problem at the deadline, and the evaluation left behind stops instead of running on.
 * Nothing here is timed: reading the chart takes well under the deadline, evaluating it (every
 * order scans every Medication in LegCrampCommon "Ordered Medications") minutes without one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "legcramp.request-deadline=4s", "legcramp.max-prefetch-resources=20000"})
class DeadlineTest {

    private static final String NEW_DIURETIC_SIGN = "/cds-services/new-diuretic-order-sign";
    private static final int ORDERS = 5000;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry metrics;

    @Autowired
    @Qualifier("hookEvaluationPool")
    ExecutorService evaluationPool;

    @Test
    void chartTooLargeToEvaluateInTimeGetsA503AndItsEvaluationStops() {
        ObjectNode request = HookCase.named("new-diuretic", "silent-thiazide-renewal").request();
        request.with("prefetch").set("medicationRequests", ordersReferencingMedications(request.at("/context/patientId").asText()));

        var reply = new CdsClient(port).post(NEW_DIURETIC_SIGN, request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("detail").asText()).contains("deadline");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metrics.counter("legcramp.hook.evaluations.abandoned", "service", "new-diuretic-order-sign").count())
                    .isEqualTo(1.0);
            assertThat(((ThreadPoolExecutor) evaluationPool).getActiveCount()).isZero();
        });
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
