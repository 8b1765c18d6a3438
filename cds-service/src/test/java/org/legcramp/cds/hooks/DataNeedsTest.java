package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.prefetch.PrefetchValue;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.support.HookCase;
import org.springframework.util.unit.DataSize;

/**
 * A service parses only the part of a chart its rules can read: an observation whose code is in
 * none of the value sets the rule retrieves observations by is dropped before FHIR parsing, one
 * that is in them is kept, and types the rule reads without a code filter are all kept; a condition
 * read only by code or as an order's reason is kept when its code is in the value sets or an order
 * (draft or prescribed, in any prefetch key) references it. Of what is kept, only the elements the
 * rules read are parsed: an invalid value elsewhere changes no card and refuses no call, and a
 * reference in an element no rule reads keeps nothing.
 */
class DataNeedsTest {

    private static RuleCatalog catalog;
    private static HookRequestParser parser;

    @BeforeAll
    static void load() {
        KnowledgeArtifacts content = new ContentLoader(FhirContext.forR4Cached()).load(Path.of("..").toUri().toString());
        catalog = new RuleCatalog(content, RuleCatalog.compile(content));
        parser = new HookRequestParser(FhirContext.forR4Cached(), new CdsProperties("", Duration.ofSeconds(2),
                DataSize.ofMegabytes(5), 64, 5000, 5000, Duration.ofSeconds(2), ""));
    }

    @Test
    void observationsNoRuleOfTheServiceReadsAreDroppedBeforeParsing() {
        CdsService dvt = catalog.service("cramps-with-dvt-signs-patient-view").orElseThrow();
        ObjectNode request = HookCase.named("cramps-with-dvt-signs", "fires-recent-cramp-with-leg-swelling-on-examination").request();
        ArrayNode entries = (ArrayNode) request.at("/prefetch/observations/entry");
        ObjectNode heartRate = entries.addObject().putObject("resource");
        heartRate.put("resourceType", "Observation").put("id", "obs-heart-rate").put("status", "final");
        heartRate.putObject("code").putArray("coding").addObject().put("system", "http://loinc.org").put("code", "8867-4");

        HookRequest parsed = parser.parse(request, dvt.hook(), dvt.dataNeeds());

        assertThat(ids(parsed, "observations")).containsExactly("obs-swelling");
        assertThat(ids(parsed, "conditions")).contains("cond-cramp");
    }

    @Test
    void conditionsNoRuleReadsByCodeAreDroppedUnlessAnOrderReferencesThem() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        ArrayNode conditions = (ArrayNode) request.at("/prefetch/conditions/entry");
        addCondition(conditions, "cond-back-pain-unreferenced", "279039007");
        addCondition(conditions, "cond-back-pain-referenced", "279039007");
        ((ArrayNode) request.at("/context/draftOrders/entry/0/resource/reasonReference")).addObject()
                .put("reference", "Condition/cond-back-pain-referenced");

        HookRequest parsed = parser.parse(request, analgesic.hook(), analgesic.dataNeeds());

        assertThat(ids(parsed, "conditions")).contains("cond-cramp", "cond-back-pain-referenced")
                .doesNotContain("cond-back-pain-unreferenced");
    }

    @Test
    void aConditionReferencedByAnOrderInAnotherPrefetchKeyIsKept() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        addCondition((ArrayNode) request.at("/prefetch/conditions/entry"), "cond-hypertension", "38341003");
        ObjectNode order = ((ArrayNode) request.withArray("/prefetch/medicationRequests/entry")).addObject().putObject("resource");
        order.put("resourceType", "MedicationRequest").put("id", "mr-old").put("status", "active").put("intent", "order");
        order.putArray("reasonReference").addObject().put("reference", "https://ehr.example/fhir/Condition/cond-hypertension");

        HookRequest parsed = parser.parse(request, analgesic.hook(), analgesic.dataNeeds());

        assertThat(ids(parsed, "conditions")).contains("cond-hypertension");
    }

    private static void addCondition(ArrayNode entries, String id, String snomed) {
        ObjectNode condition = entries.addObject().putObject("resource");
        condition.put("resourceType", "Condition").put("id", id);
        condition.putObject("code").putArray("coding").addObject().put("system", "http://snomed.info/sct").put("code", snomed);
    }

    @Test
    void everythingIsKeptWhenNothingIsKnownOfTheReader() {
        ObjectNode request = HookCase.named("cramps-with-dvt-signs", "fires-recent-cramp-with-leg-swelling-on-examination").request();
        ((ArrayNode) request.at("/prefetch/observations/entry")).addObject().putObject("resource")
                .put("resourceType", "Observation").put("id", "obs-other").put("status", "final");

        HookRequest parsed = parser.parse(request, Hook.PATIENT_VIEW, org.legcramp.cds.rules.DataNeeds.EVERYTHING);

        assertThat(ids(parsed, "observations")).containsExactly("obs-swelling", "obs-other");
    }

    @Test
    void onlyTheElementsTheRulesReadAreParsed() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        ObjectNode order = prescribed(request, "mr-old");
        order.putObject("_status").putArray("extension").addObject().put("url", "http://example.org/status-note")
                .put("valueString", "confirmed by phone");
        order.putObject("requester").put("reference", "Practitioner/dr-one");
        order.putArray("category").addObject().put("text", "community");

        HookRequest parsed = parser.parse(request, analgesic.hook(), analgesic.dataNeeds());

        org.hl7.fhir.r4.model.MedicationRequest old = (org.hl7.fhir.r4.model.MedicationRequest) resource(parsed,
                "medicationRequests", "mr-old");
        assertThat(old.getStatus().toCode()).isEqualTo("active");
        assertThat(old.getStatusElement().getExtension()).hasSize(1);
        assertThat(old.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("198440");
        assertThat(old.getAuthoredOnElement().getValueAsString()).isEqualTo("2026-10-01");
        assertThat(old.hasRequester()).isFalse();
        assertThat(old.hasCategory()).isFalse();
    }

    @Test
    void anInvalidValueInAnElementNoRuleReadsDoesNotRefuseTheCall() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        prescribed(request, "mr-old").putObject("dispenseRequest").putObject("validityPeriod").put("start", "not-a-date");

        assertThat(ids(parser.parse(request, analgesic.hook(), analgesic.dataNeeds()), "medicationRequests")).contains("mr-old");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ids(parser.parse(request, analgesic.hook(),
                org.legcramp.cds.rules.DataNeeds.EVERYTHING), "medicationRequests")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("not valid FHIR R4");
    }

    @Test
    void anInvalidValueInAnElementARuleReadsStillRefusesTheCall() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        prescribed(request, "mr-old").put("authoredOn", "not-a-date");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ids(parser.parse(request, analgesic.hook(), analgesic.dataNeeds()),
                "medicationRequests")).isInstanceOf(BadRequestException.class).hasMessageContaining("not valid FHIR R4");
    }

    @Test
    void aConditionReferencedOnlyFromAnElementNoRuleReadsIsDropped() {
        CdsService analgesic = catalog.service("analgesic-for-acute-cramp-order-select").orElseThrow();
        ObjectNode request = HookCase.named("analgesic-for-acute-cramp", "fires-acetaminophen-for-a-recorded-cramp").request();
        addCondition((ArrayNode) request.at("/prefetch/conditions/entry"), "cond-hypertension", "38341003");
        prescribed(request, "mr-old").putArray("supportingInformation").addObject().put("reference", "Condition/cond-hypertension");

        assertThat(ids(parser.parse(request, analgesic.hook(), analgesic.dataNeeds()), "conditions"))
                .doesNotContain("cond-hypertension");
    }

    /** An active prescription of the patient's, added to the prefetch. */
    private static ObjectNode prescribed(ObjectNode request, String id) {
        ObjectNode order = ((ArrayNode) request.withArray("/prefetch/medicationRequests/entry")).addObject().putObject("resource");
        order.put("resourceType", "MedicationRequest").put("id", id).put("status", "active").put("intent", "order")
                .put("authoredOn", "2026-10-01");
        order.putObject("medicationCodeableConcept").putArray("coding").addObject()
                .put("system", "http://www.nlm.nih.gov/research/umls/rxnorm").put("code", "198440");
        order.putObject("subject").put("reference", "Patient/" + request.at("/context/patientId").asText());
        return order;
    }

    private static Resource resource(HookRequest request, String key, String id) {
        return ((PrefetchValue.Present) request.prefetch().get(key)).resources().stream()
                .filter(r -> r.getIdElement().getIdPart().equals(id)).findFirst().orElseThrow();
    }

    private static List<String> ids(HookRequest request, String key) {
        return ((PrefetchValue.Present) request.prefetch().get(key)).resources().stream()
                .map(Resource::getIdElement).map(id -> id.getIdPart()).toList();
    }
}
