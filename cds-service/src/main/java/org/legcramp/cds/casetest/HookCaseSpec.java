package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A hook-level case: {@code fhir-resources/hook-cases/<rule>/<case>/} holds the full hook request
 * ({@code request.json}) and {@code expected.json}: the service to call, the case's evaluation
 * date, and the cards that must come back (indicator, words of the summary, suggestion actions),
 * or none. The request's dates are already rolled to today.
 */
public record HookCaseSpec(String rule, String name, ObjectNode request, JsonNode expected) {

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
