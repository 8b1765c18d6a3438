package org.legcramp.cds.hooks;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.prefetch.PrefetchValue;

/**
 * A validated hook call (CDS Hooks 2.0 "HTTP Request"), its FHIR content already parsed.
 *
 * @param fhirServer where missing prefetch may be fetched; null when the EHR gave none
 * @param accessToken bearer token for fhirServer; null for an open server
 * @param draftOrders the orders being written (order-select, order-sign), empty for patient-view
 * @param selections ids ("MedicationRequest/rx-1") of the selected draft orders (order-select)
 * @param prefetch the prefetch the EHR sent, by key; a missing key was not sent at all
 */
public record HookRequest(
        Hook hook,
        String hookInstance,
        URI fhirServer,
        String accessToken,
        String patientId,
        String userId,
        List<Resource> draftOrders,
        Set<String> selections,
        Map<String, PrefetchValue> prefetch) {

    /** Draft orders the cards concern: for order-select the selected ones, otherwise all. */
    public List<Resource> ordersInScope() {
        if (hook != Hook.ORDER_SELECT) {
            return draftOrders;
        }
        return draftOrders.stream()
                .filter(order -> selections.contains(order.fhirType() + "/" + order.getIdElement().getIdPart()))
                .toList();
    }

    /** Template values of the spec's prefetch tokens. */
    public Map<String, String> contextTokens() {
        return Map.of("context.patientId", patientId, "context.userId", userId, "userPractitionerId",
                userId.startsWith("Practitioner/") ? userId.substring("Practitioner/".length()) : "");
    }
}
