package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CapturedLog;

/** A toy library: only the defines asked for are evaluated, and a failing define names its library. */
class CqlEvaluatorTest {

    private static final String TOY = String.join("\n",
            "library Toy version '1.0.0'",
            "using FHIR version '4.0.1'",
            "context Patient",
            "define \"Two\": 1 + 1",
            "define \"Four\": \"Two\" * 2",
            "define \"Fails\": Message(1, true, 'TOY-1', 'Error', 'this define always fails')");

    private final CqlEvaluator evaluator = new CqlEvaluator(new CqlLibraries(Map.of("Toy", TOY)),
            new InMemoryTerminologyProvider(List.of()), FhirContext.forR4Cached());
    private final Patient patient = new Patient();
    static final String ENGINE_LOGGER = "org.opencds.cqf.cql.engine";

    CqlEvaluatorTest() {
        patient.setId("p1");
    }

    @Test
    void evaluatesOnlyTheDefinesAskedFor() {
        var evaluation = evaluator.evaluate("Toy", "p1", List.of(patient), ZonedDateTime.now(), Map.of(), List.of("Four"), false);

        assertThat(evaluation.values()).containsOnlyKeys("Four");
        assertThat(evaluation.value("Four")).isEqualTo(4);
    }

    @Test
    void aFailingDefineIsAnEvaluationErrorNamingTheLibrary() {
        try (CapturedLog engineLog = CapturedLog.of(ENGINE_LOGGER)) {
            assertThatThrownBy(() -> evaluator.evaluate("Toy", "p1", List.of(patient), ZonedDateTime.now(), Map.of()))
                    .isInstanceOf(CqlEvaluationException.class)
                    .hasMessageContaining("Toy");
            assertThat(engineLog.lines()).as("the engine logs the error itself; the test keeps it off the console")
                    .anyMatch(line -> line.startsWith("ERROR") && line.contains("TOY-1"));
        }
    }
}
