package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.fhir.model.R4FhirModelResolver;

/** The caching resolver answers exactly as the engine's own, for paths and type names alike. */
class CachingR4FhirModelResolverTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final R4FhirModelResolver engine = new R4FhirModelResolver(FHIR);
    private final CachingR4FhirModelResolver caching = new CachingR4FhirModelResolver(FHIR);

    @Test
    void resolvesEveryPathAsTheEngineDoes() {
        Medication medication = new Medication();
        medication.setId("med-1");
        medication.setCode(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "5487", "HCTZ")));
        medication.addIngredient().setItem(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "4603", null)));
        MedicationRequest order = new MedicationRequest();
        order.setId("mr-1");
        order.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
        order.setSubject(new Reference("Patient/p1"));
        order.setMedication(new Reference("#med-1"));
        order.addContained(medication);
        StringType note = new StringType("with food");
        note.addExtension(new Extension("http://example.org/x", new StringType("y")));
        order.addNote().setTextElement(new org.hl7.fhir.r4.model.MarkdownType("note"));

        List<String> paths = List.of("id", "status", "status.value", "subject", "subject.reference", "subject.reference.value",
                "medication", "medication.reference", "contained", "MedicationRequest", "reasonCode", "reasonCode.coding",
                "note", "doesNotExist", "subject.doesNotExist.deeper", "", "subject.");
        for (Object target : new Object[] {order, medication, null}) {
            for (String path : paths) {
                assertSame(engine.resolvePath(target, path), caching.resolvePath(target, path), path);
                assertSame(engine.resolvePath(target, path), caching.resolvePath(target, path), path + " (cached)");
            }
        }
        for (String path : List.of("code", "code.coding", "code.coding[0].code", "ingredient[0].item", "ingredient[0].item.coding[0]")) {
            assertSame(engine.resolvePath(medication, path), caching.resolvePath(medication, path), path);
        }
        assertSame(engine.resolvePath(note, "extension"), caching.resolvePath(note, "extension"), "extension on a primitive");
    }

    @Test
    void failsWhereTheEngineFails() {
        MedicationRequest order = new MedicationRequest();
        assertThatThrownBy(() -> engine.resolvePath(order, "reasonCode[0]")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> caching.resolvePath(order, "reasonCode[0]")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void resolvesTypeNamesAsTheEngineDoes() {
        for (String type : List.of("MedicationRequest", "FHIR.Reference", "Reference", "CodeableConcept", "Coding", "Medication",
                "MedicationRequestStatus", "string", "dateTime", "Patient")) {
            assertThat(caching.resolveType(type)).as(type).isEqualTo(engine.resolveType(type));
            assertThat(caching.resolveType(type)).as(type + " (cached)").isEqualTo(engine.resolveType(type));
        }
        assertThatThrownBy(() -> engine.resolveType("NoSuchType")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> caching.resolveType("NoSuchType")).isInstanceOf(RuntimeException.class);
    }

    /** Same value: the same FHIR element, an equal Java value, or lists of such, element by element. */
    private static void assertSame(Object expected, Object actual, String path) {
        if (expected instanceof List<?> expectedList) {
            assertThat(actual).as(path).isInstanceOf(List.class);
            List<?> actualList = (List<?>) actual;
            assertThat(actualList).as(path).hasSameSizeAs(expectedList);
            for (int i = 0; i < expectedList.size(); i++) {
                assertSame(expectedList.get(i), actualList.get(i), path + "[" + i + "]");
            }
        } else if (expected instanceof Base base) {
            assertThat(actual).as(path).isInstanceOf(Base.class);
            assertThat(base.equalsDeep((Base) actual)).as(path).isTrue();
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }
}
