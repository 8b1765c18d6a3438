package org.legcramp.cds.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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

    /** What any of several readers can read: a type is filtered by code only if every reader that reads it is. */
    public static DataNeeds union(List<DataNeeds> readers) {
        if (readers.stream().anyMatch(r -> r.types() == null)) {
            return EVERYTHING;
        }
        Set<String> types = new HashSet<>();
        readers.forEach(r -> types.addAll(r.types()));
        Map<String, Set<String>> codes = new HashMap<>();
        for (String type : types) {
            List<DataNeeds> readingIt = readers.stream().filter(r -> r.types().contains(type)).toList();
            if (readingIt.stream().allMatch(r -> r.codesByFilteredType().containsKey(type))) {
                Set<String> allowed = new HashSet<>();
                readingIt.forEach(r -> allowed.addAll(r.codesByFilteredType().get(type)));
                codes.put(type, Set.copyOf(allowed));
            }
        }
        return new DataNeeds(Set.copyOf(types), Map.copyOf(codes));
    }

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
