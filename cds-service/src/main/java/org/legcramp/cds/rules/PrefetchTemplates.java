package org.legcramp.cds.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Prefetch templates derived from what a library retrieves, so they cover exactly the data the
 * CQL reads, narrowed by code where the CQL only reads a type by value set. Only the spec's
 * tokens are used ({@code {{context.patientId}}}).
 */
public final class PrefetchTemplates {

    private PrefetchTemplates() {}

    /**
     * Above this many codes a type's template asks for all of the patient's resources of that type
     * rather than a search URL too long for some servers.
     */
    static final int MAX_CODES_IN_A_TEMPLATE = 50;

    /**
     * @param needs what the library can read: a type it only retrieves by value set is asked for by
     *        those codes ({@code Observation?patient=...&code=http://loinc.org|62238-1,...}), so the
     *        EHR sends the few observations a rule can read, not the thousands a chart holds
     * @return prefetch key to query; Medication comes along with MedicationRequest through {@code _include}
     * @throws IllegalArgumentException for a type that cannot be fetched per patient
     */
    public static Map<String, String> forNeeds(DataNeeds needs) {
        Set<String> retrievedTypes = new java.util.TreeSet<>(needs.types());
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
                        type + "?patient={{context.patientId}}" + codeFilter(needs.typesReadById().contains(type) ? null : needs.codesByFilteredType().get(type)));
            }
        }
        return templates;
    }

    private static String codeFilter(Set<String> codes) {
        if (codes == null || codes.isEmpty() || codes.size() > MAX_CODES_IN_A_TEMPLATE) {
            return "";
        }
        return "&code=" + String.join(",", new java.util.TreeSet<>(codes));
    }
}
