package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CapturedLog;

/**
 * Toy libraries: two rules that include one library evaluate its defines once when they share a
 * hook call's data, and each gets the value it would get alone; a rule's own defines are its own.
 * The call carries its deadline: past it, an evaluation of the call stops on whatever thread runs it.
 */
class SharedCallTest {

    private static final String SHARED = String.join("\n",
            "library Shared version '1.0.0'",
            "using FHIR version '4.0.1'",
            "context Patient",
            "define \"Patients\": Message(Count([Patient]), true, 'SHARED-1', 'Warning', 'Shared.Patients evaluated')");

    private static String rule(String name, int factor) {
        return String.join("\n",
                "library " + name + " version '1.0.0'",
                "using FHIR version '4.0.1'",
                "include Shared version '1.0.0' called Shared",
                "context Patient",
                "define \"Result\": Message(Shared.\"Patients\" * " + factor + ", true, '" + name + "', 'Warning', '" + name + ".Result evaluated')");
    }

    private final CqlEvaluator evaluator = new CqlEvaluator(
            new CqlLibraries(Map.of("Shared", SHARED, "RuleA", rule("RuleA", 2), "RuleB", rule("RuleB", 3))),
            new InMemoryTerminologyProvider(List.of()), FhirContext.forR4Cached());
    private final Patient patient = new Patient();

    SharedCallTest() {
        patient.setId("p1");
    }

    @Test
    void rulesSharingACallEvaluateAnIncludedDefineOnceAndGetTheValueEachGetsAlone() {
        ZonedDateTime now = ZonedDateTime.now();
        try (CapturedLog engineLog = CapturedLog.of(CqlEvaluatorTest.ENGINE_LOGGER)) {
            CqlEvaluator.SharedCall call = evaluator.share("p1", List.of(patient), now, null);
            var a = evaluator.evaluate("RuleA", call, List.of("Result"), values -> List.of());
            var b = evaluator.evaluate("RuleB", call, List.of("Result"), values -> List.of());

            assertThat(a.value("Result")).isEqualTo(2);
            assertThat(b.value("Result")).isEqualTo(3);
            assertThat(engineLog.lines()).filteredOn(line -> line.contains("Shared.Patients evaluated")).hasSize(1);
            assertThat(engineLog.lines()).filteredOn(line -> line.contains(".Result evaluated")).hasSize(2);
        }
    }

    @Test
    void rulesOfSeparateCallsEachEvaluateTheIncludedDefine() {
        ZonedDateTime now = ZonedDateTime.now();
        try (CapturedLog engineLog = CapturedLog.of(CqlEvaluatorTest.ENGINE_LOGGER)) {
            evaluator.evaluate("RuleA", evaluator.share("p1", List.of(patient), now, null), List.of("Result"), values -> List.of());
            evaluator.evaluate("RuleB", evaluator.share("p1", List.of(patient), now, null), List.of("Result"), values -> List.of());

            assertThat(engineLog.lines()).filteredOn(line -> line.contains("Shared.Patients evaluated")).hasSize(2);
        }
    }

    @Test
    void anEvaluationOfACallPastItsDeadlineStopsOnTheThreadThatRunsIt() {
        CqlEvaluator.SharedCall late = evaluator.share("p1", List.of(patient), ZonedDateTime.now(),
                java.time.Instant.now().minusMillis(1));
        CqlEvaluator.SharedCall inTime = evaluator.share("p1", List.of(patient), ZonedDateTime.now(),
                java.time.Instant.now().plusSeconds(60));

        try (CapturedLog engineLog = CapturedLog.of(CqlEvaluatorTest.ENGINE_LOGGER)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> evaluator.evaluate("RuleA", late, List.of("Result"), values -> List.of()))
                    .isInstanceOf(EvaluationAbandonedException.class);
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(evaluator.evaluate("RuleA", inTime, List.of("Result"), values -> List.of()).value("Result")).isEqualTo(2);
    }
}
