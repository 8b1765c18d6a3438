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
 * that is in them is kept, and types the rule reads without a code filter are all kept.
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
    void everythingIsKeptWhenNothingIsKnownOfTheReader() {
        ObjectNode request = HookCase.named("cramps-with-dvt-signs", "fires-recent-cramp-with-leg-swelling-on-examination").request();
        ((ArrayNode) request.at("/prefetch/observations/entry")).addObject().putObject("resource")
                .put("resourceType", "Observation").put("id", "obs-other").put("status", "final");

        HookRequest parsed = parser.parse(request, Hook.PATIENT_VIEW, org.legcramp.cds.rules.DataNeeds.EVERYTHING);

        assertThat(ids(parsed, "observations")).containsExactly("obs-swelling", "obs-other");
    }

    private static List<String> ids(HookRequest request, String key) {
        return ((PrefetchValue.Present) request.prefetch().get(key)).resources().stream()
                .map(Resource::getIdElement).map(id -> id.getIdPart()).toList();
    }
}
