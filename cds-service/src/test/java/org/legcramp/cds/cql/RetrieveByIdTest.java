package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * A toy rule fetches the Medication an order references with an id-filtered retrieve, answered
 * from the retrieve provider's index: the linear alternative to scanning every Medication per order.
 */
class RetrieveByIdTest {

    private static final String TOY = String.join("\n",
            "library Toy version '1.0.0'",
            "using FHIR version '4.0.1'",
            "include FHIRHelpers version '4.0.1' called FHIRHelpers",
            "context Patient",
            "define function \"Referenced Medication\"(request FHIR.MedicationRequest):",
            "  [Medication: id = Substring((request.medication as FHIR.Reference).reference.value, 11)]",
            "define \"Ordered Codes\":",
            "  flatten ( [MedicationRequest] R return ( ( \"Referenced Medication\"(R) ) M return M.code.coding[0].code.value ) )",
            "define \"By Literal Id\": [Medication: id = 'med-2']");

    @Test
    void theReferencedMedicationIsFoundById() {
        List<Resource> data = new ArrayList<>();
        Patient patient = new Patient();
        patient.setId("p1");
        data.add(patient);
        for (int i = 1; i <= 3; i++) {
            Medication medication = new Medication();
            medication.setId("med-" + i);
            medication.setCode(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "code-" + i, null)));
            data.add(medication);
        }
        for (int i : new int[] {3, 1}) {
            MedicationRequest order = new MedicationRequest();
            order.setId("mr-" + i);
            order.setSubject(new Reference("Patient/p1"));
            order.setMedication(new Reference("Medication/med-" + i));
            data.add(order);
        }
        CqlEvaluator evaluator = new CqlEvaluator(new CqlLibraries(Map.of("Toy", TOY)), new InMemoryTerminologyProvider(List.of()),
                FhirContext.forR4Cached());

        var evaluation = evaluator.evaluate("Toy", "p1", data, ZonedDateTime.now(), Map.of());

        assertThat(CqlValues.plain(evaluation.value("Ordered Codes"))).isEqualTo(List.of("code-3", "code-1"));
        assertThat(CqlValues.plain(evaluation.value("By Literal Id"))).isEqualTo(List.of("Medication/med-2"));
    }
}
