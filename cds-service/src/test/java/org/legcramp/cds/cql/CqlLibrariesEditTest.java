package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * Toy libraries edited as the workbench edits them: an edit translates into a library set of its
 * own, reaches the library that includes it, reuses what it does not touch, and never changes the
 * saved set; an edit that does not translate says library, line and column.
 */
class CqlLibrariesEditTest {

    private static final String COMMON = String.join("\n",
            "library ToyCommon version '1.0.0'",
            "using FHIR version '4.0.1'",
            "context Patient",
            "define \"Threshold\": 2");
    private static final String RULE = String.join("\n",
            "library ToyRule version '1.0.0'",
            "using FHIR version '4.0.1'",
            "include ToyCommon version '1.0.0' called Common",
            "parameter \"Limit\" Integer default 3",
            "context Patient",
            "define \"Over\": Common.\"Threshold\" + 2 > \"Limit\"");
    private static final String OTHER = String.join("\n",
            "library ToyOther version '1.0.0'",
            "using FHIR version '4.0.1'",
            "context Patient",
            "define \"One\": 1");

    private final CqlLibraries saved = new CqlLibraries(Map.of("ToyCommon", COMMON, "ToyRule", RULE, "ToyOther", OTHER));
    private final CqlEvaluator evaluator = new CqlEvaluator(saved, new InMemoryTerminologyProvider(List.of()),
            FhirContext.forR4Cached());
    private final Patient patient = new Patient();

    CqlLibrariesEditTest() {
        patient.setId("p1");
    }

    private Object over(CqlEvaluator on) {
        return on.evaluate("ToyRule", "p1", List.of(patient), ZonedDateTime.now(), Map.of()).value("Over");
    }

    @Test
    void anEditEvaluatesInASetOfItsOwnAndTheSavedSetIsUntouched() {
        CqlLibraries edited = saved.withSources(Map.of("ToyRule", RULE.replace("default 3", "default 9")), "ToyRule");

        assertThat(over(evaluator.withLibraries(edited))).isEqualTo(false);
        assertThat(edited.parameterDefaults("ToyRule")).containsEntry("Limit", "9");
        assertThat(over(evaluator)).isEqualTo(true);
        assertThat(saved.parameterDefaults("ToyRule")).containsEntry("Limit", "3");
        assertThat(saved.source("ToyRule")).isEqualTo(RULE);
    }

    @Test
    void anEditToAnIncludedLibraryReachesTheLibraryThatIncludesIt() {
        CqlLibraries edited = saved.withSources(Map.of("ToyCommon", COMMON.replace(": 2", ": 0")), "ToyRule");

        assertThat(over(evaluator.withLibraries(edited))).isEqualTo(false);
        assertThat(over(evaluator)).isEqualTo(true);
    }

    @Test
    void whatAnEditDoesNotTouchIsReusedAsTranslated() {
        CqlLibraries edited = saved.withSources(Map.of("ToyRule", RULE + "\ndefine \"Extra\": 5"), "ToyRule");

        assertThat(edited.elm("ToyOther")).isSameAs(saved.elm("ToyOther"));
        assertThat(edited.elm("ToyCommon")).isSameAs(saved.elm("ToyCommon"));
        assertThat(edited.defineNames("ToyRule")).contains("Extra");
        assertThat(saved.defineNames("ToyRule")).doesNotContain("Extra");
    }

    @Test
    void anEditThatDoesNotTranslateNamesLibraryLineAndColumn() {
        String broken = RULE.replace("define \"Over\": Common", "define \"Over\": Commons");

        assertThatThrownBy(() -> saved.withSources(Map.of("ToyRule", broken), "ToyRule"))
                .isInstanceOfSatisfying(CqlTranslationException.class, e -> {
                    TranslationError error = e.errors().get(0);
                    assertThat(error.library()).isEqualTo("ToyRule");
                    assertThat(error.line()).isEqualTo(6);
                    assertThat(error.column()).isPositive();
                    assertThat(error.message()).contains("Commons");
                });
    }

    @Test
    void onlyTheContentsLibrariesCanBeEdited() {
        assertThatThrownBy(() -> saved.withSources(Map.of("FHIRHelpers", "library FHIRHelpers"), "ToyRule"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a library of the content");
    }
}
