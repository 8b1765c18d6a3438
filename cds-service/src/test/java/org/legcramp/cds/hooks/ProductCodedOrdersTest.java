package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.legcramp.cds.casetest.CardExpectations;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.ValueSetCodes;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * EHRs order products (clinical and branded drugs, packs), not ingredients. For every drug rule,
 * a hook case is sent again with its order coded, in turn, as every code of the drug's value set
 * (the ingredient and each product an EHR picker offers): each twin must get the case's own
 * expected cards. This is what catches a product missing from a value set.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProductCodedOrdersTest {

    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

    /** A hook case, the order in it to recode, and the value set whose codes it takes in turn. */
    private record Twin(String rule, String caseName, String orderId, String valueSet) {}

    private static final List<Twin> TWINS = List.of(
            new Twin("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps", "draft-quinine", "quinine"),
            new Twin("low-value-cramp-drugs", "fires-magnesium-for-cramps", "draft-magnesium", "magnesium"),
            new Twin("low-value-cramp-drugs", "fires-diltiazem-for-night-cramps", "draft-diltiazem", "calcium-channel-blockers"),
            new Twin("analgesic-for-acute-cramp", "fires-ibuprofen-for-night-cramps", "draft-ibuprofen", "analgesics"),
            new Twin("new-diuretic", "fires-new-hydrochlorothiazide", "draft-hctz", "thiazide-diuretics"),
            new Twin("new-diuretic", "fires-new-spironolactone", "draft-spiro", "potassium-sparing-diuretics"),
            new Twin("new-diuretic", "fires-info-for-new-furosemide", "draft-furosemide", "loop-diuretics"),
            new Twin("new-diuretic", "silent-thiazide-renewal", "rx-hctz-current", "thiazide-diuretics"),
            new Twin("prescribing-cascade", "fires-muscle-relaxant-after-new-thiazide", "draft-cyclobenzaprine", "cramp-treatments"),
            new Twin("prescribing-cascade", "fires-muscle-relaxant-after-new-thiazide", "rx-chlorthalidone", "thiazide-diuretics"),
            new Twin("liver-disease-cramps-baclofen", "fires-when-magnesium-is-ordered-for-a-cirrhosis-patient", "draft-magnesium", "muscle-relaxants"),
            new Twin("liver-disease-cramps-baclofen", "fires-when-magnesium-is-ordered-for-a-cirrhosis-patient", "draft-magnesium", "quinine"),
            new Twin("liver-disease-cramps-baclofen", "silent-when-baclofen-itself-is-ordered", "draft-baclofen", "baclofen"),
            new Twin("liver-disease-cramps-baclofen", "silent-already-on-baclofen", "rx-baclofen", "baclofen"),
            new Twin("cramps-after-new-diuretic", "fires-cramps-after-starting-hydrochlorothiazide", "rx-hctz", "thiazide-diuretics"),
            new Twin("cramps-after-new-diuretic", "fires-cramps-after-starting-spironolactone", "rx-spiro", "potassium-sparing-diuretics"),
            new Twin("cramps-after-new-diuretic", "fires-info-cramps-after-starting-furosemide", "rx-furosemide", "loop-diuretics"));

    @LocalServerPort
    int port;

    @TestFactory
    Stream<DynamicTest> productCodedOrdersGetTheSameCardsAsTheirIngredientCodedTwins() {
        KnowledgeArtifacts content = new ContentLoader(FhirContext.forR4Cached()).load(Path.of("..").toUri().toString());
        ValueSetCodes codes = new ValueSetCodes(content.valueSets());
        CdsClient client = new CdsClient(port);
        return TWINS.stream().map(twin -> DynamicTest.dynamicTest(
                twin.rule() + "/" + twin.caseName() + ": " + twin.orderId() + " as every code of " + twin.valueSet(), () -> {
                    HookCaseSpec hookCase = HookCase.named(twin.rule(), twin.caseName());
                    ValueSet valueSet = content.valueSets().stream()
                            .filter(v -> v.getIdElement().getIdPart().equals(twin.valueSet())).findFirst().orElseThrow();
                    List<Code> drugCodes = codes.of(valueSet).stream().filter(c -> RXNORM.equals(c.getSystem())).toList();
                    assertThat(drugCodes).as("codes of " + twin.valueSet()).isNotEmpty();
                    List<String> failures = new ArrayList<>();
                    for (Code code : drugCodes) {
                        ObjectNode request = hookCase.request().deepCopy();
                        recode(order(request, twin.orderId()), code);
                        JsonNode reply = client.post("/cds-services/" + hookCase.service(), request).json();
                        List<String> differences = CardExpectations.differences(hookCase.expected().get("cards"), reply.get("cards"));
                        if (!differences.isEmpty()) {
                            failures.add(code.getCode() + " " + code.getDisplay() + ": " + differences);
                        }
                    }
                    assertThat(failures).as("codes of %s that do not give the case's cards", twin.valueSet()).isEmpty();
                }));
    }

    private static ObjectNode order(ObjectNode request, String id) {
        List<JsonNode> bundles = new ArrayList<>();
        bundles.add(request.path("context").path("draftOrders"));
        request.path("prefetch").forEach(bundles::add);
        for (JsonNode bundle : bundles) {
            for (JsonNode entry : bundle.path("entry")) {
                if (id.equals(entry.path("resource").path("id").asText())) {
                    return (ObjectNode) entry.get("resource");
                }
            }
        }
        throw new IllegalArgumentException("No resource " + id + " in the case");
    }

    private static void recode(ObjectNode order, Code code) {
        ObjectNode coding = order.putObject("medicationCodeableConcept").putArray("coding").addObject();
        coding.put("system", code.getSystem()).put("code", code.getCode()).put("display", code.getDisplay());
    }
}
