package org.legcramp.cds.content;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every code the content matches or proposes is a real code of its system: a {@code verified} row
 * of ../shared/clinical/codes.json, or it names, beside itself, the public source it was checked
 * in (a ValueSet concept's {@code valueset-concept-comments} "Source: ..."; an ActivityDefinition's
 * {@code relatedArtifact} labelled {@code code-source}). A code added without either fails here.
 */
class CodeProvenanceTest {

    private static final Path REPO = Path.of("..");
    private static final Path SHARED_CODES = REPO.resolve("../shared/clinical/codes.json");
    static final String CONCEPT_COMMENTS = "http://hl7.org/fhir/StructureDefinition/valueset-concept-comments";

    private static KnowledgeArtifacts content;
    private static Set<String> verified;
    private static Set<String> sourcedInValueSets;

    @BeforeAll
    static void load() throws IOException {
        content = new ContentLoader(FhirContext.forR4Cached()).load(REPO.toUri().toString());
        verified = new HashSet<>();
        for (JsonNode row : new ObjectMapper().readTree(SHARED_CODES.toFile())) {
            if ("verified".equals(row.path("status").asText())) {
                verified.add(key(row.path("system").asText(), row.path("code").asText()));
            }
        }
        sourcedInValueSets = new HashSet<>();
        for (ValueSet valueSet : content.valueSets()) {
            for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
                for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
                    if (namesASource(concept)) {
                        sourcedInValueSets.add(key(include.getSystem(), concept.getCode()));
                    }
                }
            }
        }
    }

    private static String key(String system, String code) {
        return system + "|" + code;
    }

    private static boolean namesASource(ValueSet.ConceptReferenceComponent concept) {
        return concept.getExtensionsByUrl(CONCEPT_COMMENTS).stream()
                .anyMatch(e -> e.getValue().primitiveValue().startsWith("Source: ") && e.getValue().primitiveValue().length() > 20);
    }

    @Test
    void everyValueSetCodeIsVerifiedOrNamesWhereItWasChecked() {
        List<String> unsourced = new ArrayList<>();
        for (ValueSet valueSet : content.valueSets()) {
            for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
                for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
                    if (!verified.contains(key(include.getSystem(), concept.getCode())) && !namesASource(concept)) {
                        unsourced.add(valueSet.getIdElement().getIdPart() + ": " + include.getSystem() + " " + concept.getCode()
                                + " " + concept.getDisplay());
                    }
                }
            }
        }
        assertThat(unsourced).as("codes neither verified in shared/clinical/codes.json nor with a Source: comment").isEmpty();
    }

    @Test
    void everyActivityDefinitionCodeIsVerifiedOrNamesWhereItWasChecked() {
        List<String> unsourced = new ArrayList<>();
        for (ActivityDefinition definition : content.activityDefinitions()) {
            CodeableConcept concept = definition.hasProductCodeableConcept() ? definition.getProductCodeableConcept() : definition.getCode();
            for (Coding coding : concept.getCoding()) {
                String key = key(coding.getSystem(), coding.getCode());
                boolean cited = definition.getRelatedArtifact().stream()
                        .filter(a -> a.getType() == RelatedArtifact.RelatedArtifactType.DOCUMENTATION && "code-source".equals(a.getLabel()))
                        .anyMatch(a -> a.getDisplay().startsWith(coding.getCode() + " Source: "));
                if (!verified.contains(key) && !sourcedInValueSets.contains(key) && !cited) {
                    unsourced.add(definition.getIdElement().getIdPart() + ": " + key);
                }
            }
        }
        assertThat(unsourced).as("proposed codes neither verified nor with a named source").isEmpty();
    }

    @Test
    void valueSetsListEachCodeOnce() {
        for (ValueSet valueSet : content.valueSets()) {
            Set<String> seen = new HashSet<>();
            for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
                for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
                    assertThat(seen.add(key(include.getSystem(), concept.getCode())))
                            .as(valueSet.getIdElement().getIdPart() + " lists " + concept.getCode() + " twice").isTrue();
                }
            }
        }
    }
}
