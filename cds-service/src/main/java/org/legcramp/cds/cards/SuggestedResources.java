package org.legcramp.cds.cards;

import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * The order an ActivityDefinition proposes for one patient, as a draft the clinician can accept:
 * the subset of ActivityDefinition $apply our content uses (kind, code or product, dosage).
 */
final class SuggestedResources {

    private SuggestedResources() {}

    static Resource from(ActivityDefinition definition, Reference patient) {
        String canonical = definition.getUrl() + "|" + definition.getVersion();
        switch (definition.getKind()) {
            case MEDICATIONREQUEST -> {
                MedicationRequest order = new MedicationRequest();
                order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
                order.setIntent(MedicationRequest.MedicationRequestIntent.PROPOSAL);
                order.setSubject(patient);
                order.setMedication(definition.getProductCodeableConcept().copy());
                definition.getDosage().forEach(dosage -> order.addDosageInstruction(dosage.copy()));
                order.addInstantiatesCanonical(canonical);
                return order;
            }
            case SERVICEREQUEST -> {
                ServiceRequest order = new ServiceRequest();
                order.setStatus(ServiceRequest.ServiceRequestStatus.DRAFT);
                order.setIntent(ServiceRequest.ServiceRequestIntent.PROPOSAL);
                order.setSubject(patient);
                order.setCode(definition.getCode().copy());
                order.addInstantiatesCanonical(canonical);
                return order;
            }
            default -> throw new IllegalArgumentException("ActivityDefinition kind " + definition.getKind() + " is not supported");
        }
    }
}
