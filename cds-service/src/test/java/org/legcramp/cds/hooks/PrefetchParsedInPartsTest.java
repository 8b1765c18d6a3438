package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cql.ChartData;
import org.legcramp.cds.cql.InvalidChartDataException;
import org.legcramp.cds.prefetch.PrefetchValue;
import org.legcramp.cds.rules.DataNeeds;
import org.legcramp.cds.support.HookCase;
import org.springframework.util.unit.DataSize;

/**
 * A prefetch Bundle's resources are parsed when a rule first reads their type, the many of one type
 * in parts on several threads, and the data that comes out is the data a single thread makes: the
 * same resources in the same order (ids taken from fullUrl included), an invalid resource reported as
 * the first invalid one in the request, and nothing held up or lost when the helper threads are busy
 * with other calls.
 */
class PrefetchParsedInPartsTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final CdsProperties LIMITS = new CdsProperties("", Duration.ofSeconds(2), DataSize.ofMegabytes(5), 64,
            5000, 5000, Duration.ofSeconds(2), "");

    private final ThreadPoolExecutor helpers = new ThreadPoolExecutor(3, 3, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(1));
    private final HookRequestParser parser = new HookRequestParser(FHIR, LIMITS);

    @AfterEach
    void stopHelpers() {
        helpers.shutdownNow();
    }

    @Test
    void aLargePrefetchParsedInPartsIsTheRequestOneThreadParses() {
        ObjectNode request = withOrders(200);

        assertThat(encoded(inParts(request).all()))
                .isEqualTo(encoded(oneThread(request).all()))
                .hasSize(1 + 200); // the patient and the orders
    }

    @Test
    void anEntryWithoutAnIdTakesItsFullUrlInWhicheverPartItIs() {
        ObjectNode request = withOrders(200);
        ArrayNode entries = (ArrayNode) request.at("/prefetch/medicationRequests/entry");
        ObjectNode last = (ObjectNode) entries.get(entries.size() - 1);
        last.put("fullUrl", "urn:uuid:7f3c0d52-1b1e-4f4e-9a59-2d1f8a0c6b11");
        ((ObjectNode) last.get("resource")).remove("id");

        List<Resource> orders = inParts(request).ofType("MedicationRequest");

        assertThat(orders.get(orders.size() - 1).getIdElement().getValue()).isEqualTo("urn:uuid:7f3c0d52-1b1e-4f4e-9a59-2d1f8a0c6b11");
    }

    @Test
    void ofTwoInvalidResourcesInDifferentPartsTheFirstInTheRequestIsReported() {
        ObjectNode request = withOrders(200);
        ArrayNode entries = (ArrayNode) request.at("/prefetch/medicationRequests/entry");
        ((ObjectNode) entries.get(150).get("resource")).put("authoredOn", "not-a-date");
        ((ObjectNode) entries.get(20).get("resource")).put("status", 42);

        assertThatThrownBy(() -> inParts(request).all())
                .isInstanceOf(BadRequestException.class)
                .hasMessageStartingWith("prefetch.medicationRequests.entry[20].resource is not valid FHIR R4")
                .hasMessage(messageOf(() -> oneThread(request).all()));
    }

    @Test
    void anInvalidResourceIsAnErrorWhenItsTypeIsReadAndEachTimeItIsRead() {
        ObjectNode request = withOrders(200);
        ((ObjectNode) request.at("/prefetch/medicationRequests/entry/150/resource")).put("authoredOn", "not-a-date");
        ChartData data = inParts(request);

        assertThat(data.ofType("Patient")).hasSize(1); // another type reads as ever
        for (int read = 0; read < 2; read++) {
            assertThatThrownBy(() -> data.ofType("MedicationRequest")).isInstanceOf(InvalidChartDataException.class)
                    .extracting(e -> ((InvalidChartDataException) e).requestError()).isInstanceOf(BadRequestException.class)
                    .extracting(Throwable::getMessage).asString()
                    .startsWith("prefetch.medicationRequests.entry[150].resource is not valid FHIR R4");
        }
    }

    @Test
    void aTypeNoRuleReadsIsNeverParsed() {
        ObjectNode request = withOrders(3);
        ((ObjectNode) request.at("/prefetch/medicationRequests/entry/1/resource")).put("authoredOn", "not-a-date");

        HookRequest parsed = parser.parse(request, Hook.ORDER_SIGN, DataNeeds.EVERYTHING); // no error: not read yet

        assertThat(new ChartData(entries(parsed), null).ofType("Patient")).hasSize(1);
    }

    @Test
    void busyHelpersHoldNoCallUpAndLoseNoResource() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) { // every helper busy and the queue full: parts are run by the calling thread
            helpers.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            ObjectNode request = withOrders(200);

            assertThat(encoded(inParts(request).all())).isEqualTo(encoded(oneThread(request).all()));
        } finally {
            release.countDown();
        }
    }

    @Test
    void aSingleResourcePrefetchIsParsedWithoutItsNarrative() {
        ObjectNode request = withOrders(0);
        ((ObjectNode) request.at("/prefetch/patient")).putObject("text").put("status", "generated")
                .put("div", "<div xmlns=\"http://www.w3.org/1999/xhtml\">Daniel Example</div>");

        Patient patient = (Patient) inParts(request).ofType("Patient").get(0);

        assertThat(patient.hasText()).isFalse();
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo(request.at("/prefetch/patient/birthDate").asText());
    }

    /** A real order-sign request with {@code count} prescribed orders more in its prefetch. */
    private static ObjectNode withOrders(int count) {
        ObjectNode request = HookCase.named("new-diuretic", "fires-new-hydrochlorothiazide").request();
        ArrayNode entries = request.withArray("/prefetch/medicationRequests/entry");
        for (int i = 0; i < count; i++) {
            ObjectNode order = entries.addObject().putObject("resource");
            order.put("resourceType", "MedicationRequest").put("id", "mr-" + i).put("status", i % 3 == 0 ? "active" : "completed")
                    .put("intent", "order").put("authoredOn", "2025-0" + (1 + i % 9) + "-1" + (i % 10));
            order.putObject("subject").put("reference", "Patient/pat-diuretic");
            order.putObject("medicationCodeableConcept").putArray("coding").addObject()
                    .put("system", "http://www.nlm.nih.gov/research/umls/rxnorm").put("code", i % 2 == 0 ? "310798" : "197361");
            order.putObject("text").put("status", "generated").put("div", "<div xmlns=\"http://www.w3.org/1999/xhtml\">order " + i + "</div>");
        }
        return request;
    }

    /** The request's data, its types parsed in parts as they are read. */
    private ChartData inParts(ObjectNode request) {
        return new ChartData(entries(parser.parse(request, Hook.ORDER_SIGN, DataNeeds.EVERYTHING)), helpers);
    }

    private ChartData oneThread(ObjectNode request) {
        return new ChartData(entries(parser.parse(request, Hook.ORDER_SIGN, DataNeeds.EVERYTHING)), null);
    }

    /** Every prefetched resource, key by key, not yet parsed. */
    private static List<ChartData.Entry> entries(HookRequest request) {
        return request.prefetch().values().stream().filter(PrefetchValue.Present.class::isInstance)
                .flatMap(value -> ((PrefetchValue.Present) value).entries().stream()).toList();
    }

    private static List<String> encoded(List<Resource> resources) {
        return resources.stream().map(resource -> FHIR.newJsonParser().encodeResourceToString(resource)).toList();
    }

    private static String messageOf(Runnable parse) {
        try {
            parse.run();
        } catch (BadRequestException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the request to be refused");
    }
}
