package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.runtime.Code;

/** Retrieves filter by context, code and value set through the indexes, in the order of the data. */
class InMemoryRetrieveProviderTest {

    private static final String SNOMED = "http://snomed.info/sct";
    private static final String ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
    private static final String CRAMP_VS = "http://example.org/ValueSet/cramp";

    private final List<Resource> data = List.of(
            condition("c1", "p1", new Coding(SNOMED, "55300003", null)),
            condition("c2", "p2", new Coding(SNOMED, "55300003", null)),
            condition("c3", "p1", new Coding(ICD10, "R25.2", null), new Coding(SNOMED, "55300003", null)),
            condition("c4", "p1", new Coding(SNOMED, "19943007", null)),
            condition("c5", "p1", new Coding(null, "55300003", null)));
    private final InMemoryRetrieveProvider retrieve = new InMemoryRetrieveProvider(data,
            new CachingR4FhirModelResolver(FhirContext.forR4Cached()), new InMemoryTerminologyProvider(List.of(crampValueSet())));

    @Test
    void everyResourceOfTheTypeInThePatientsContext() {
        assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Condition", null, null, null, null, null, null, null, null)))
                .containsExactly("c1", "c3", "c4", "c5");
        assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Observation", null, null, null, null, null, null, null, null)))
                .isEmpty();
    }

    @Test
    void byCodeWithOrWithoutSystemAndRepeatedAlike() {
        for (int round = 0; round < 2; round++) {
            assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Condition", null, "code",
                    List.of(new Code().withSystem(SNOMED).withCode("55300003")), null, null, null, null, null)))
                    .containsExactly("c1", "c3");
            assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Condition", null, "code",
                    List.of(new Code().withCode("55300003")), null, null, null, null, null)))
                    .containsExactly("c1", "c3", "c5");
            assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Condition", null, "code",
                    List.of(new Code().withSystem(SNOMED).withCode("19943007"), new Code().withSystem(ICD10).withCode("R25.2")),
                    null, null, null, null, null)))
                    .containsExactly("c3", "c4");
        }
    }

    @Test
    void byValueSet() {
        assertThat(ids(retrieve.retrieve("Patient", "subject", "p1", "Condition", null, "code", null, CRAMP_VS,
                null, null, null, null))).containsExactly("c3");
        assertThat(ids(retrieve.retrieve("Patient", "subject", "p2", "Condition", null, "code", null, CRAMP_VS,
                null, null, null, null))).isEmpty();
    }

    private static List<String> ids(Iterable<Object> resources) {
        List<String> ids = new ArrayList<>();
        resources.forEach(r -> ids.add(((Resource) r).getIdElement().getIdPart()));
        return ids;
    }

    private static Condition condition(String id, String patient, Coding... codings) {
        Condition condition = new Condition();
        condition.setId(id);
        condition.setSubject(new Reference("Patient/" + patient));
        CodeableConcept code = new CodeableConcept();
        for (Coding coding : codings) {
            code.addCoding(coding);
        }
        condition.setCode(code);
        condition.setClinicalStatus(new CodeableConcept(new Coding(null, "active", null)));
        return condition;
    }

    private static ValueSet crampValueSet() {
        ValueSet valueSet = new ValueSet();
        valueSet.setUrl(CRAMP_VS);
        valueSet.setStatus(Enumerations.PublicationStatus.ACTIVE);
        valueSet.getCompose().addInclude().setSystem(ICD10).addConcept().setCode("R25.2");
        return valueSet;
    }
}
