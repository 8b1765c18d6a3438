package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/** A card's text says the windows and thresholds the rule was evaluated with, not the defaults written into it. */
class CardTextParametersTest {

    private static final Path CQL = Path.of("../cql");

    private static CqlEvaluator evaluator(String... libraries) throws IOException {
        Map<String, String> sources = new java.util.HashMap<>();
        for (String library : libraries) {
            sources.put(library, Files.readString(CQL.resolve(library + ".cql")));
        }
        return new CqlEvaluator(new CqlLibraries(sources), new InMemoryTerminologyProvider(List.of()), FhirContext.forR4Cached());
    }

    private static Object define(CqlEvaluator evaluator, String library, String define, Map<String, Object> parameters) {
        Patient patient = new Patient();
        patient.setId("p1");
        return evaluator.evaluate(library, "p1", List.of(patient), ZonedDateTime.now(), parameters, List.of(define), false)
                .values().get(define);
    }

    @Test
    void baclofenGuidanceNamesTheMinimumEgfrItWasGiven() throws IOException {
        CqlEvaluator evaluator = evaluator("LegCrampCommon", "LiverDiseaseCrampsBaclofen");

        assertThat((String) define(evaluator, "LiverDiseaseCrampsBaclofen", "Card Guidance", Map.of()))
                .contains("an eGFR below 30 do not get this card");
        assertThat((String) define(evaluator, "LiverDiseaseCrampsBaclofen", "Card Guidance",
                Map.of("Minimum eGFR", new BigDecimal("45.0"))))
                .contains("an eGFR below 45 do not get this card").doesNotContain("below 30");
        assertThat((String) define(evaluator, "LiverDiseaseCrampsBaclofen", "Card Guidance",
                Map.of("Minimum eGFR", new BigDecimal("27.5"))))
                .contains("an eGFR below 27.5 do not get this card");
    }
}
