package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Discovery lists one service per PlanDefinition, with prefetch that is exactly what its CQL reads. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DiscoveryTest {

    private static final Pattern TOKEN = Pattern.compile("\\{\\{([^}]*)}}");

    @LocalServerPort
    int port;

    private Map<String, JsonNode> servicesById() {
        var reply = new CdsClient(port).get("/cds-services");
        assertThat(reply.status()).isEqualTo(200);
        Map<String, JsonNode> byId = new HashMap<>();
        reply.json().get("services").forEach(s -> byId.put(s.get("id").asText(), s));
        return byId;
    }

    @Test
    void everyPlanDefinitionIsAServiceOnItsHook() {
        Map<String, JsonNode> services = servicesById();
        assertThat(services).containsKeys("quinine-for-cramps-order-select", "quinine-for-cramps-order-sign",
                "new-diuretic-order-select", "new-diuretic-order-sign",
                "liver-disease-cramps-baclofen-patient-view", "cramps-with-pad-signs-patient-view");
        services.forEach((id, service) -> {
            assertThat(id).endsWith("-" + service.get("hook").asText());
            assertThat(service.get("title").asText()).isNotBlank();
            assertThat(service.get("description").asText()).isNotBlank();
        });
    }

    @Test
    void quininePrefetchIsThePatientItsConditionsAndItsOrdersWithTheirMedications() {
        JsonNode prefetch = servicesById().get("quinine-for-cramps-order-sign").get("prefetch");
        assertThat(fields(prefetch)).isEqualTo(Map.of(
                "patient", "Patient/{{context.patientId}}",
                "conditions", "Condition?patient={{context.patientId}}&_elements=abatement,code,contained,extension,"
                        + "implicitRules,language,modifierExtension,onset,recordedDate,subject,verificationStatus",
                // the Medication's elements too (code, ingredient): some servers apply _elements to included resources
                "medicationRequests", "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication"
                        + "&_elements=authoredOn,code,contained,extension,implicitRules,ingredient,language,medication,"
                        + "modifierExtension,reasonCode,reasonReference,status,subject"));
    }

    @Test
    void searchTemplatesAskOnlyForTheElementsTheRulesReadWithTheirContext() {
        servicesById().values().forEach(service -> service.get("prefetch").forEach(template -> {
            String query = template.asText();
            if (query.startsWith("Patient/")) {
                return; // a read of one small resource, sent whole
            }
            assertThat(query).as(service.get("id").asText()).containsPattern("&_elements=[a-zA-Z,]+$");
            List<String> elements = List.of(query.substring(query.indexOf("&_elements=") + "&_elements=".length()).split(","));
            assertThat(elements).as(query).contains("subject", "modifierExtension", "contained")
                    .doesNotContain("text", "id", "meta", "encounter", "note", "identifier");
            if (query.contains("&code=")) {
                assertThat(elements).as(query).contains("code");
            }
        }));
    }

    @Test
    void newDiureticPrefetchHasNoConditionsBecauseItsCqlReadsNone() {
        JsonNode prefetch = servicesById().get("new-diuretic-order-sign").get("prefetch");
        assertThat(fields(prefetch)).containsOnlyKeys("patient", "medicationRequests");
    }

    @Test
    void baclofenPrefetchIncludesMedicationStatementsAndObservationsForTheEgfr() {
        JsonNode prefetch = servicesById().get("liver-disease-cramps-baclofen-patient-view").get("prefetch");
        assertThat(fields(prefetch)).containsOnlyKeys("patient", "conditions", "medicationRequests", "medicationStatements",
                "observations");
    }

    @Test
    void padPrefetchAsksForTheAnkleBrachialIndexByCodeAndForConditions() {
        JsonNode prefetch = servicesById().get("cramps-with-pad-signs-patient-view").get("prefetch");
        String abi = "&code=http://snomed.info/sct|401221002,http://snomed.info/sct|446841001";
        Map<String, String> queries = new HashMap<>();
        fields(prefetch).forEach((key, query) -> queries.put(key, query.replaceAll("&_elements=.*$", "")));
        assertThat(queries).isEqualTo(Map.of(
                "patient", "Patient/{{context.patientId}}",
                // PAD and cramp codes are too many for a URL: all of the patient's conditions
                "conditions", "Condition?patient={{context.patientId}}",
                "observations", "Observation?patient={{context.patientId}}" + abi,
                "procedures", "Procedure?patient={{context.patientId}}" + abi));
    }

    @Test
    void prefetchTemplatesUseOnlyTheSpecsTokens() {
        servicesById().values().forEach(service -> service.get("prefetch").forEach(template -> {
            Matcher tokens = TOKEN.matcher(template.asText());
            while (tokens.find()) {
                assertThat(tokens.group(1)).isIn("context.patientId", "context.userId", "context.encounterId",
                        "userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId");
            }
        }));
    }

    private static Map<String, String> fields(JsonNode node) {
        Map<String, String> map = new HashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
