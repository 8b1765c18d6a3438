package org.legcramp.cds.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Prefetch templates derived from what a library retrieves, so they cover exactly the data the
 * CQL reads. Only the spec's tokens are used ({@code {{context.patientId}}}).
 */
public final class PrefetchTemplates {

    private PrefetchTemplates() {}

    /**
     * @param retrievedTypes FHIR types the library retrieves
     * @return prefetch key to query; Medication comes along with MedicationRequest through {@code _include}
     * @throws IllegalArgumentException for a type that cannot be fetched per patient
     */
    public static Map<String, String> forRetrievedTypes(Set<String> retrievedTypes) {
        Map<String, String> templates = new LinkedHashMap<>();
        for (String type : retrievedTypes) {
            switch (type) {
                case "Patient" -> templates.put("patient", "Patient/{{context.patientId}}");
                case "Medication" -> {
                    if (!retrievedTypes.contains("MedicationRequest")) {
                        throw new IllegalArgumentException(
                                "retrieves Medication without MedicationRequest; Medications are fetched through the orders that reference them");
                    }
                }
                case "MedicationRequest" -> templates.put("medicationRequests",
                        "MedicationRequest?patient={{context.patientId}}"
                                + (retrievedTypes.contains("Medication") ? "&_include=MedicationRequest:medication" : ""));
                default -> templates.put(Character.toLowerCase(type.charAt(0)) + type.substring(1) + "s",
                        type + "?patient={{context.patientId}}");
            }
        }
        return templates;
    }
}
