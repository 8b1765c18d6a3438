package org.legcramp.cds.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.casetest.CatalogueChecks;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;

/**
 * The build fails when the catalogue's parts disagree: the checks of {@link CatalogueChecks}
 * (also run by ./cql-test), over the shipped content, which must translate in full.
 */
class RuleCatalogueTest {

    private static final Path REPO = Path.of("..");

    private static CatalogueChecks checks;

    @BeforeAll
    static void loadContent() {
        KnowledgeArtifacts content = new ContentLoader(FhirContext.forR4Cached()).load(REPO.toUri().toString());
        CqlLibraries cql = RuleCatalog.compile(content);
        checks = new CatalogueChecks(REPO, content, cql, new RuleCatalog(content, cql), Path.of("target", "rules-README.md"));
    }

    @Test
    void everyServiceIsNamedForItsRuleAndHook() {
        assertThat(checks.everyServiceIsNamedForItsRuleAndHook()).isEmpty();
    }

    @Test
    void everyRuleHasItsOwnCqlLibraryNamedForIt() {
        assertThat(checks.everyRuleHasItsOwnCqlLibraryNamedForIt()).isEmpty();
    }

    @Test
    void everyRuleUsesValueSets() {
        assertThat(checks.everyRuleUsesValueSets()).isEmpty();
    }

    @Test
    void everyRuleHasAFiresCaseAndASilentCaseAndNothingElse() {
        assertThat(checks.everyRuleHasAFiresCaseAndASilentCaseAndNothingElse()).isEmpty();
    }

    @Test
    void everyHookCaseSendsExactlyThePrefetchItsServiceAsksFor() {
        assertThat(checks.everyHookCaseSendsExactlyThePrefetchItsServiceAsksFor()).isEmpty();
    }

    @Test
    void everyHookCaseRequestSaysItIsTestTraffic() {
        assertThat(checks.everyHookCaseRequestSaysItIsTestTraffic()).isEmpty();
    }

    @Test
    void everyRuleHasADocsPage() {
        assertThat(checks.everyRuleHasADocsPage()).isEmpty();
    }

    @Test
    void everyCardLinksThePatientEducationPage() {
        assertThat(checks.everyCardLinksThePatientEducationPage()).isEmpty();
    }

    @Test
    void rulesTableInDocsIsCurrent() {
        assertThat(checks.rulesTableInDocsIsCurrent()).isEmpty();
    }

    @Test
    void everyCheckRunsAndPasses() {
        assertThat(checks.all()).allSatisfy(check -> {
            assertThat(check.notCheckedBecause()).as(check.name()).isNull();
            assertThat(check.failures()).as(check.name()).isEmpty();
        });
    }
}
