package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The elements a library reads are those its expressions, sorts and retrieves name, in the
 * libraries it includes too. (ELM's Children and Descendants, which read elements without naming
 * them, make a library read every element; this translator compiles neither from CQL.)
 */
class ElementsReadTest {

    private static final String COMMON = """
            library ToyCommon version '1.0.0'
            using FHIR version '4.0.1'
            include FHIRHelpers version '4.0.1' called FHIRHelpers
            context Patient
            define function "Active"(requests List<FHIR.MedicationRequest>):
              requests R where R.status.value = 'active'
            """;

    private static final String RULE = """
            library ToyRule version '1.0.0'
            using FHIR version '4.0.1'
            include FHIRHelpers version '4.0.1' called FHIRHelpers
            include ToyCommon version '1.0.0' called Common
            context Patient
            define "Latest Active Order":
              First((Common."Active"([MedicationRequest])) R sort by authoredOn desc)
            define "Its Medication": "Latest Active Order".medication
            """;

    private final CqlLibraries libraries = new CqlLibraries(Map.of("ToyCommon", COMMON, "ToyRule", RULE));

    @Test
    void aLibraryReadsTheElementsItsExpressionsAndSortsAndIncludedFunctionsName() {
        assertThat(libraries.reachableFrom("ToyRule").elementsRead())
                .contains("status", "authoredOn", "medication")
                .doesNotContain("dosageInstruction", "requester", "category");
    }
}
