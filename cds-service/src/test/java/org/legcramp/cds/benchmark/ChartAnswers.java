package org.legcramp.cds.benchmark;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A patient's chart as a FHIR server answers the prefetch templates: a search by {@code code} gets
 * only the resources carrying one of those codes; {@code _include=MedicationRequest:medication}
 * brings the chart's Medications; {@code _elements} subsets each matched resource with HAPI's own
 * encoder, which tags it SUBSETTED, exactly as HAPI's RestfulServer answers a search (included
 * resources whole, as it sends them), unless the server is one that ignores {@code _elements}, as
 * FHIR allows. Answers are kept: the benchmarks ask a chart the same template many times.
 */
public final class ChartAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private final Map<String, List<ObjectNode>> byType;
    private final Map<String, List<ObjectNode>> answers = new HashMap<>();
    private final boolean honoursElements;

    /** @param byType the chart's resources as JSON, by resource type, references as {@code Type/id} */
    public ChartAnswers(Map<String, List<ObjectNode>> byType) {
        this(byType, true);
    }

    /** @param honoursElements false for a server that ignores {@code _elements} and sends whole resources */
    public ChartAnswers(Map<String, List<ObjectNode>> byType, boolean honoursElements) {
        this.byType = byType;
        this.honoursElements = honoursElements;
    }

    /** The chart's Patient, as a read of {@code Patient/{{context.patientId}}} answers. */
    public ObjectNode patient() {
        return byType.get("Patient").get(0);
    }

    /** What a search template ({@code Type?patient=...&...}) answers, matched resources then included ones. */
    public synchronized List<ObjectNode> search(String template) {
        return answers.computeIfAbsent(template, this::answer);
    }

    private List<ObjectNode> answer(String template) {
        String type = template.substring(0, template.indexOf('?'));
        Map<String, String> parameters = new HashMap<>();
        for (String parameter : template.substring(template.indexOf('?') + 1).split("&")) {
            int equals = parameter.indexOf('=');
            parameters.put(parameter.substring(0, equals), parameter.substring(equals + 1));
        }
        Set<String> codes = parameters.containsKey("code") ? Set.of(parameters.get("code").split(",")) : null;
        IParser encoder = null;
        if (honoursElements && parameters.containsKey("_elements")) {
            Set<String> elements = new HashSet<>();
            for (String element : parameters.get("_elements").split(",")) {
                elements.add(type + "." + element);
            }
            encoder = FHIR.newJsonParser().setEncodeElements(elements);
        }
        List<ObjectNode> answered = new ArrayList<>();
        for (ObjectNode resource : byType.getOrDefault(type, List.of())) {
            if (codes == null || hasCode(resource, codes)) {
                answered.add(encoder == null ? resource : subset(resource, encoder));
            }
        }
        if ("MedicationRequest:medication".equals(parameters.get("_include"))) {
            answered.addAll(byType.getOrDefault("Medication", List.of()));
        }
        return List.copyOf(answered);
    }

    private static boolean hasCode(JsonNode resource, Set<String> codes) {
        for (JsonNode coding : resource.path("code").path("coding")) {
            if (codes.contains(coding.path("system").asText() + "|" + coding.path("code").asText())) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode subset(ObjectNode resource, IParser encoder) {
        try {
            var parsed = FHIR.newJsonParser().parseResource(resource.toString());
            return (ObjectNode) JSON.readTree(encoder.encodeResourceToString(parsed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
