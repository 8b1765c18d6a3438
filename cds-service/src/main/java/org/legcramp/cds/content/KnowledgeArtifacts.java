package org.legcramp.cds.content;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * Everything the content folders hold, parsed: the FHIR knowledge artifacts and the CQL source of
 * each library. {@code sourceFileOf} maps each artifact's canonical URL (or library name) to its
 * file, so that a problem found later can still name the file to fix.
 */
public record KnowledgeArtifacts(
        List<PlanDefinition> planDefinitions,
        List<Library> libraries,
        List<ActivityDefinition> activityDefinitions,
        List<ValueSet> valueSets,
        List<CodeSystem> codeSystems,
        Map<String, String> cqlSourceByLibraryName,
        Map<String, String> sourceFileOf) {

    public String fileOf(String canonicalOrName) {
        return sourceFileOf.getOrDefault(canonicalOrName, canonicalOrName);
    }
}
