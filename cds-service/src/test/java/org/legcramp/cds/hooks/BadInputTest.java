package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Bad input gets a clear 4xx problem body that says what is wrong; never a 5xx or a stack trace. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputTest {

    private static final String QUININE_SIGN = "/cds-services/quinine-for-cramps-order-sign";

    @LocalServerPort
    int port;

    private CdsClient client() {
        return new CdsClient(port);
    }

    private static ObjectNode quinineRequest() {
        return HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
    }

    private static void assertProblem(CdsClient.Reply reply, int status, String saying) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("detail").asText()).containsIgnoringCase(saying);
        assertThat(reply.body()).doesNotContain("at org.").doesNotContain("Exception");
    }

    @Test
    void malformedJsonIs400() {
        assertProblem(client().post(QUININE_SIGN, "{\"hook\": \"order-sign\","), 400, "not valid JSON");
    }

    @Test
    void jsonArrayIs400() {
        assertProblem(client().post(QUININE_SIGN, "[" + quinineRequest() + "]"), 400, "must be a JSON object");
    }

    @Test
    void emptyBodyIs400() {
        assertProblem(client().post(QUININE_SIGN, ""), 400, "empty");
    }

    @Test
    void unknownServiceIs404() {
        assertProblem(client().post("/cds-services/no-such-service", quinineRequest()), 404, "no-such-service");
    }

    @Test
    void hookOtherThanTheServicesIs400() {
        ObjectNode request = quinineRequest().put("hook", "patient-view");
        assertProblem(client().post(QUININE_SIGN, request), 400, "answers the order-sign hook");
    }

    @Test
    void missingHookInstanceIs400() {
        ObjectNode request = quinineRequest();
        request.remove("hookInstance");
        assertProblem(client().post(QUININE_SIGN, request), 400, "hookInstance");
    }

    @Test
    void missingContextIs400() {
        ObjectNode request = quinineRequest();
        request.remove("context");
        assertProblem(client().post(QUININE_SIGN, request), 400, "context");
    }

    @Test
    void missingPatientIdIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("context")).remove("patientId");
        assertProblem(client().post(QUININE_SIGN, request), 400, "context.patientId");
    }

    @Test
    void missingUserIdIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("context")).remove("userId");
        assertProblem(client().post(QUININE_SIGN, request), 400, "context.userId");
    }

    @Test
    void orderSignWithoutDraftOrdersIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("context")).remove("draftOrders");
        assertProblem(client().post(QUININE_SIGN, request), 400, "context.draftOrders");
    }

    @Test
    void orderSelectWithoutSelectionsIs400() {
        ObjectNode request = HookCase.named("quinine-for-cramps", "silent-quinine-draft-not-selected").request();
        ((ObjectNode) request.get("context")).remove("selections");
        assertProblem(client().post("/cds-services/quinine-for-cramps-order-select", request), 400, "context.selections");
    }

    @Test
    void selectionThatIsNoDraftOrderIs400() {
        ObjectNode request = HookCase.named("quinine-for-cramps", "silent-quinine-draft-not-selected").request();
        ((ObjectNode) request.get("context")).putArray("selections").add("MedicationRequest/not-a-draft");
        assertProblem(client().post("/cds-services/quinine-for-cramps-order-select", request), 400, "not a draft order");
    }

    @Test
    void invalidFhirInDraftOrdersIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.at("/context/draftOrders/entry/0/resource")).put("status", "maybe");
        assertProblem(client().post(QUININE_SIGN, request), 400, "context.draftOrders is not valid FHIR");
    }

    @Test
    void draftOrderForAnotherPatientIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.at("/context/draftOrders/entry/0/resource/subject")).put("reference", "Patient/someone-else");
        assertProblem(client().post(QUININE_SIGN, request), 400, "for another patient");
    }

    @Test
    void draftOrderWithoutSubjectIsTheContextPatientsAndStillGetsItsCard() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.at("/context/draftOrders/entry/0/resource")).remove("subject");
        var reply = client().post(QUININE_SIGN, request);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("cards")).hasSize(1);
    }

    @Test
    void draftOrdersThatAreNotABundleIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("context")).set("draftOrders", request.at("/context/draftOrders/entry/0/resource"));
        assertProblem(client().post(QUININE_SIGN, request), 400, "must be a FHIR Bundle");
    }

    @Test
    void invalidFhirInPrefetchIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.at("/prefetch/patient")).put("birthDate", "the fourteenth of March");
        assertProblem(client().post(QUININE_SIGN, request), 400, "prefetch.patient is not valid FHIR");
    }

    @Test
    void invalidFhirInAPrefetchedResourceARuleReadsIs400() {
        ObjectNode request = HookCase.named("persistent-unexplained-cramps", "silent-recent-potassium-result").request();
        ((ObjectNode) request.at("/prefetch/observations/entry/0/resource")).put("effectiveDateTime", "last August");
        withEveryKeyOf("leg-cramps-patient-view", request);

        for (String service : new String[] {"persistent-unexplained-cramps-patient-view", "leg-cramps-patient-view"}) {
            assertProblem(client().post("/cds-services/" + service, request), 400,
                    "prefetch.observations.entry[0].resource is not valid FHIR");
        }
    }

    /** Resources are parsed as the rules read them: without active cramps no rule reads the results. */
    @Test
    void anInvalidResultNoRuleReadsForThisPatientRefusesNothing() {
        ObjectNode request = HookCase.named("persistent-unexplained-cramps", "silent-cramps-resolved").request();
        ObjectNode potassium = request.withArray("/prefetch/observations/entry").addObject().putObject("resource");
        potassium.put("resourceType", "Observation").put("id", "obs-k").put("status", "final").put("effectiveDateTime", "last August");
        potassium.putObject("code").putArray("coding").addObject().put("system", "http://loinc.org").put("code", "2823-3");
        potassium.putObject("subject").put("reference", "Patient/" + request.at("/context/patientId").asText());
        withEveryKeyOf("leg-cramps-patient-view", request);

        CdsClient.Reply reply = client().post("/cds-services/leg-cramps-patient-view", request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("cards")).isEmpty();
    }

    /** The prefetch keys of the service the case does not send (the other rules' data), sent as none. */
    private void withEveryKeyOf(String service, ObjectNode request) {
        for (var discovered : client().get("/cds-services").json().get("services")) {
            if (discovered.get("id").asText().equals(service)) {
                discovered.get("prefetch").fieldNames().forEachRemaining(key -> {
                    if (!request.get("prefetch").has(key)) {
                        ((ObjectNode) request.get("prefetch")).putNull(key);
                    }
                });
            }
        }
    }

    @Test
    void prefetchWithoutResourceTypeIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("prefetch")).putObject("conditions").put("total", 0);
        assertProblem(client().post(QUININE_SIGN, request), 400, "prefetch.conditions");
    }

    @Test
    void patientIdThatIsNoFhirIdIs400() {
        ObjectNode request = quinineRequest();
        ((ObjectNode) request.get("context")).put("patientId", "123&_include=*");
        assertProblem(client().post(QUININE_SIGN, request), 400, "FHIR id");
    }

    @Test
    void fhirServerThatIsNoUrlIs400() {
        ObjectNode request = quinineRequest().put("fhirServer", "not a url");
        assertProblem(client().post(QUININE_SIGN, request), 400, "fhirServer");
    }

    @Test
    void draftOrderNamingAMedicationNeitherSentNorFetchableIs412() {
        ObjectNode request = HookCase.named("quinine-for-cramps", "fires-quinine-in-referenced-medication").request();
        ((ObjectNode) request.get("prefetch")).putNull("medicationRequests");
        assertProblem(client().post(QUININE_SIGN, request), 412, "Medication/quinine-324");
    }

    @Test
    void oversizedBodyIs413() {
        String padding = "x".repeat(33 * 1024 * 1024); // the default limit is 32 MB
        ObjectNode request = quinineRequest().put("padding", padding);
        assertProblem(client().post(QUININE_SIGN, request), 413, "larger than the limit");
    }

    @Test
    void tooDeeplyNestedJsonIs400() {
        String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        assertProblem(client().post(QUININE_SIGN, deep), 400, "nested too deeply");
    }

    @Test
    void getOnAServiceIs405() {
        assertThat(client().get(QUININE_SIGN).status()).isEqualTo(405);
    }
}
