package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A hook-level case: {@code fhir-resources/hook-cases/<rule>/<case>/} holds the full hook request
 * ({@code request.json}) and {@code expected.json}: the service to call, the case's evaluation
 * date, and the cards that must come back (indicator, words of the summary, suggestion actions),
 * or none. The request's dates are already rolled to today. A sample request says it is test traffic
 * (its {@code extension}), so that posting one by hand stays out of the analytics.
 */
public record HookCaseSpec(String rule, String name, ObjectNode request, JsonNode expected) {

    /** The request as an EHR sends it: without the extension that marks it as test traffic. */
    public ObjectNode clinicalRequest() {
        ObjectNode copy = request.deepCopy();
        if (copy.get("extension") instanceof ObjectNode extension) {
            extension.remove(org.legcramp.cds.monitoring.TrafficClass.REQUEST_EXTENSION);
            if (extension.isEmpty()) {
                copy.remove("extension");
            }
        }
        return copy;
    }

    public String service() {
        return expected.get("service").asText();
    }

    public boolean fires() {
        return !expected.get("cards").isEmpty();
    }

    public String displayName() {
        return rule + "/" + name;
    }
}
