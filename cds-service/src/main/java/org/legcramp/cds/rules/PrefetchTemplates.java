package org.legcramp.cds.rules;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
        Set<String> retrievedTypes = new TreeSet<>(needs.types());
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
                case "MedicationRequest" -> {
                    boolean withMedications = retrievedTypes.contains("Medication");
                    templates.put("medicationRequests", "MedicationRequest?patient={{context.patientId}}"
                            + (withMedications ? "&_include=MedicationRequest:medication" : "")
                            + elementsFilter(needs, withMedications ? List.of(type, "Medication") : List.of(type)));
                }
                default -> templates.put(Character.toLowerCase(type.charAt(0)) + type.substring(1) + "s",
                        type + "?patient={{context.patientId}}"
                                + codeFilter(needs.typesReadById().contains(type) ? null : needs.codesByFilteredType().get(type))
                                + elementsFilter(needs, List.of(type)));
            }
        }
        return templates;
    }

    /**
     * {@code &_elements=...}: the elements of the types that are read (HAPI's definitions name them
     * without a choice's suffix, as {@code _elements} does), so a server that honours it sends a
     * tenth to a half of each resource. {@code id} and {@code meta} always come; the narrative is
     * never read. An included type's elements are listed too: the specification leaves open
     * whether {@code _elements} applies to included resources, and some servers apply it to all.
     */
    private static String elementsFilter(DataNeeds needs, List<String> types) {
        if (needs.elementsRead() == null) {
            return "";
        }
        Set<String> elements = new TreeSet<>();
        for (String type : types) {
            for (var child : FHIR.getResourceDefinition(type).getChildren()) {
                String name = child.getElementName();
                if (!ALWAYS_SENT.contains(name) && needs.readsElement(name)) {
                    elements.add(name);
                }
            }
        }
        return "&_elements=" + String.join(",", elements);
    }

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    /** What a server returns of a resource whatever {@code _elements} asks for. */
    private static final Set<String> ALWAYS_SENT = Set.of("id", "meta");

    private static String codeFilter(Set<String> codes) {
        if (codes == null || codes.isEmpty() || codes.size() > MAX_CODES_IN_A_TEMPLATE) {
            return "";
        }
        return "&code=" + String.join(",", new TreeSet<>(codes));
    }
}
