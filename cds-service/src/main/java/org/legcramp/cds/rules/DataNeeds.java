package org.legcramp.cds.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * What a service's library can read of a patient's chart: the resource types it retrieves, and,
 * for the types it only ever retrieves by a value set on their code ({@code [Observation:
 * "DVT Signs"]}), the codes ({@code system|code}) of those value sets. A resource it can never read
 * is dropped from the request before it is parsed as FHIR: real charts are mostly observations and
 * procedures that no rule looks at, and parsing them was most of the cost of a call.
 */
public record DataNeeds(Set<String> types, Map<String, Set<String>> codesByFilteredType) {

    /** Everything: for callers that evaluate a library on data they chose themselves. */
    public static final DataNeeds EVERYTHING = new DataNeeds(null, Map.of());

    /** @param resource a FHIR resource as JSON */
    public boolean mayRead(JsonNode resource) {
        String type = resource.path("resourceType").asText();
        if (types == null || "Medication".equals(type) || "Patient".equals(type)) {
            return true; // Medications come with the orders that point to them
        }
        if (!types.contains(type)) {
            return false;
        }
        Set<String> codes = codesByFilteredType.get(type);
        if (codes == null) {
            return true;
        }
        for (JsonNode coding : resource.path("code").path("coding")) {
            if (codes.contains(coding.path("system").asText() + "|" + coding.path("code").asText())) {
                return true;
            }
        }
        return false;
    }
}
