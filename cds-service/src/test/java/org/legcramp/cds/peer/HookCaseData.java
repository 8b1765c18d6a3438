package org.legcramp.cds.peer;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * The patient data of a hook request as the peer engine gets it, read straight from the request
 * JSON (independently of our service's parser and assembler): every prefetch value (a resource, or
 * the entries of a Bundle; null and OperationOutcome values are skipped) and the draft orders in
 * scope (for order-select only those named in {@code context.selections}; other resources of the
 * draftOrders Bundle, such as Medications, are kept).
 */
public record HookCaseData(String patientId, List<Resource> resources) {

    public static HookCaseData of(JsonNode request, FhirContext fhir) {
        IParser parser = fhir.newJsonParser();
        List<Resource> resources = new ArrayList<>();
        JsonNode context = request.path("context");
        for (var value : request.path("prefetch").properties()) {
            if (value.getValue().isObject()) {
                addAll(resources, (Resource) parser.parseResource(value.getValue().toString()));
            }
        }
        boolean orderSelect = "order-select".equals(request.path("hook").asText());
        Set<String> selections = new HashSet<>();
        context.path("selections").forEach(s -> selections.add(s.asText()));
        if (context.path("draftOrders").isObject()) {
            Bundle drafts = (Bundle) parser.parseResource(context.get("draftOrders").toString());
            for (Bundle.BundleEntryComponent entry : drafts.getEntry()) {
                Resource order = entry.getResource();
                boolean isOrder = order.fhirType().endsWith("Request");
                if (!orderSelect || !isOrder || selections.contains(order.fhirType() + "/" + order.getIdElement().getIdPart())) {
                    resources.add(order);
                }
            }
        }
        return new HookCaseData(context.path("patientId").asText(), resources);
    }

    private static void addAll(List<Resource> resources, Resource value) {
        if (value instanceof OperationOutcome) {
            return;
        }
        if (value instanceof Bundle bundle) {
            bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                    .filter(r -> r != null && !(r instanceof OperationOutcome)).forEach(resources::add);
        } else if (value instanceof DomainResource || value != null) {
            resources.add(value);
        }
    }
}
