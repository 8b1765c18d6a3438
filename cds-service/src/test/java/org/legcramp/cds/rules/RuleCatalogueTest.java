package org.legcramp.cds.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.support.HookCase;

/**
 * One rule id threads the catalogue: CQL library (PascalCase of the id), PlanDefinitions
 * ({@code <rule-id>-<hook>}), hook cases ({@code hook-cases/<rule-id>/}), docs page
 * ({@code docs/rules/<rule-id>.md}) and the table in docs/rules/README.md. This fails the build
 * when one of them is missing or they disagree.
 */
class RuleCatalogueTest {

    private static final Path REPO = Path.of("..");
    private static final String SHARED_LIBRARY = "LegCrampCommon";
    private static final String EDUCATION_PAGE = "education/leg-cramps.html";

    private static KnowledgeArtifacts content;
    private static CqlLibraries cql;
    private static RuleCatalog catalog;

    @BeforeAll
    static void loadContent() {
        content = new ContentLoader(FhirContext.forR4Cached()).load(REPO.toUri().toString());
        cql = RuleCatalog.compile(content);
        catalog = new RuleCatalog(content, cql);
    }

    private static Set<String> ruleIdsFromPlanDefinitions() {
        Set<String> ids = new TreeSet<>();
        catalog.services().forEach(service -> ids.add(service.ruleId()));
        return ids;
    }

    private static Set<String> names(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length())).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void everyServiceIsNamedForItsRuleAndHook() {
        catalog.services().forEach(service -> assertThat(service.id()).endsWith("-" + service.hook().id()));
    }

    @Test
    void everyRuleHasItsOwnCqlLibraryNamedForIt() {
        for (CdsService service : catalog.services()) {
            assertThat(service.libraryName()).as(service.id()).isEqualTo(CaseFiles.libraryNameOfRule(service.ruleId()));
        }
        Set<String> libraries = new TreeSet<>(content.cqlSourceByLibraryName().keySet());
        libraries.remove(SHARED_LIBRARY);
        assertThat(libraries).as("CQL libraries without a rule")
                .isEqualTo(ruleIdsFromPlanDefinitions().stream().map(CaseFiles::libraryNameOfRule).collect(Collectors.toSet()));
    }

    @Test
    void everyRuleUsesValueSets() {
        for (String ruleId : ruleIdsFromPlanDefinitions()) {
            assertThat(cql.valueSetUrls(CaseFiles.libraryNameOfRule(ruleId))).as(ruleId).isNotEmpty();
        }
    }

    @Test
    void everyRuleHasAFiresCaseAndASilentCaseAndNothingElse() {
        Map<String, List<HookCaseSpec>> casesByRule = new TreeMap<>();
        HookCase.all().forEach(c -> casesByRule.computeIfAbsent(c.rule(), r -> new ArrayList<>()).add(c));
        assertThat(casesByRule.keySet()).as("hook-cases folders").isEqualTo(ruleIdsFromPlanDefinitions());
        casesByRule.forEach((rule, cases) -> {
            assertThat(cases).as(rule + " has a case that must fire").anyMatch(c -> c.name().startsWith("fires-"));
            assertThat(cases).as(rule + " has a case that must stay silent").anyMatch(c -> c.name().startsWith("silent-"));
            for (HookCaseSpec hookCase : cases) {
                assertThat(hookCase.name()).as(hookCase.displayName()).matches("(fires|silent)-[a-z0-9-]+");
                assertThat(hookCase.fires()).as(hookCase.displayName() + ": name and expected cards agree")
                        .isEqualTo(hookCase.name().startsWith("fires-"));
                assertThat(hookCase.service()).as(hookCase.displayName()).startsWith(rule + "-");
            }
        });
    }

    @Test
    void everyHookCaseSendsExactlyThePrefetchItsServiceAsksFor() {
        for (HookCaseSpec hookCase : HookCase.all()) {
            CdsService service = catalog.service(hookCase.service()).orElseThrow();
            Set<String> sent = new TreeSet<>();
            hookCase.request().get("prefetch").fieldNames().forEachRemaining(sent::add);
            assertThat(sent).as(hookCase.displayName()).isEqualTo(new TreeSet<>(service.prefetch().keySet()));
        }
    }

    @Test
    void everyRuleHasADocsPage() throws IOException {
        Set<String> pages = names(REPO.resolve("docs/rules"), ".md");
        pages.remove("README");
        assertThat(pages).isEqualTo(ruleIdsFromPlanDefinitions());
    }

    @Test
    void everyCardLinksThePatientEducationPage() {
        for (CdsService service : catalog.services()) {
            for (PlanDefinitionActionComponent action : service.actions()) {
                assertThat(action.getDocumentation()).as(service.id() + ": " + action.getTitle())
                        .anyMatch(doc -> EDUCATION_PAGE.equals(doc.getUrl()));
            }
        }
    }

    @Test
    void rulesTableInDocsIsCurrent() throws IOException {
        String expected = rulesTable();
        Path table = REPO.resolve("docs/rules/README.md");
        String actual = Files.exists(table) ? Files.readString(table) : "";
        if (!actual.equals(expected)) {
            Path generated = Path.of("target", "rules-README.md");
            Files.writeString(generated, expected);
            assertThat(actual).as("docs/rules/README.md is out of date; the current table is in cds-service/" + generated)
                    .isEqualTo(expected);
        }
    }

    /** The table of rules, as docs/rules/README.md must read. */
    static String rulesTable() {
        Map<String, List<CdsService>> servicesByRule = new TreeMap<>();
        catalog.services().forEach(s -> servicesByRule.computeIfAbsent(s.ruleId(), r -> new ArrayList<>()).add(s));
        StringBuilder table = new StringBuilder("""
                # Rules

                Generated from the PlanDefinitions; `RuleCatalogueTest` fails when this table is out of date
                (it writes the current one to `cds-service/target/rules-README.md`).

                Value sets are listed with the VSAC OID they were taken from, where there is one. Statuses say
                which of the status semantics of `LegCrampCommon` the rule applies (docs/rules/README.md, below).

                | rule | hooks | cards (indicator) | sources | value sets (source) | statuses |
                |---|---|---|---|---|---|
                """);
        servicesByRule.forEach((rule, services) -> {
            Set<String> hooks = new LinkedHashSet<>();
            Set<String> indicators = new LinkedHashSet<>();
            Set<String> sources = new LinkedHashSet<>();
            services.stream().sorted((a, b) -> a.hook().compareTo(b.hook())).forEach(service -> {
                hooks.add(service.hook().id());
                for (PlanDefinitionActionComponent action : service.actions()) {
                    indicators.add(action.getTitle() + " (" + org.legcramp.cds.cards.Indicators.of(action.getPriority()) + ")");
                    action.getDocumentation().stream()
                            .filter(doc -> doc.getType() == RelatedArtifact.RelatedArtifactType.CITATION)
                            .forEach(doc -> sources.add(doc.getLabel()));
                }
            });
            table.append("| [").append(rule).append("](").append(rule).append(".md) | ")
                    .append(String.join(", ", hooks)).append(" | ")
                    .append(String.join("<br>", indicators)).append(" | ")
                    .append(String.join(", ", sources)).append(" | ")
                    .append(valueSetsOf(services.get(0).libraryName())).append(" | ")
                    .append(statusesOf(services.get(0).libraryName())).append(" |\n");
        });
        return table.append(STATUS_SEMANTICS).toString();
    }

    /** The status functions of LegCrampCommon, in the words of the table. */
    private static final List<Map.Entry<String, String>> STATUS_WORDS = List.of(
            Map.entry("Confirmed Active", "triggers: confirmed active"),
            Map.entry("Possibly Present", "exclusions: possibly present"),
            Map.entry("Ever Recorded", "history: ever recorded"),
            Map.entry("Findings Present", "observations: finding present"));

    private static final String STATUS_SEMANTICS = """

            ## Status semantics (LegCrampCommon, written once)

            - **confirmed active** (conditions that trigger a card): clinical status active, recurrence or relapse;
              verification confirmed or not stated. Provisional, differential, unconfirmed, refuted and entered in error do not trigger.
            - **possibly present** (conditions that keep a card from firing because it would be wrong or harmful): active,
              recurrence, relapse or no clinical status at all (encounter diagnoses); any verification status but refuted and
              entered in error, so provisional, differential and unconfirmed count.
            - **ever recorded** (history that keeps a card from firing): any clinical status, resolved included; refuted and
              entered in error excepted.
            - **finding present** (observations): final, amended or corrected; no data-absent reason; a value that does not deny
              the finding (ValueSet finding-denied: absent, negative, not detected, no; or `false`).
            - Orders: drafts are `draft`; active orders `active`; prescriptions on record `active`, `on-hold`, `completed` or
              `stopped` (never `cancelled` or `entered-in-error`).
            """;

    private static String valueSetsOf(String libraryName) {
        List<String> names = new ArrayList<>();
        for (String url : cql.reachableFrom(libraryName).valueSetUrls()) {
            ValueSet valueSet = content.valueSets().stream().filter(v -> v.getUrl().equals(url))
                    .findFirst().orElseThrow();
            String oid = valueSet.getIdentifier().stream().map(i -> i.getValue()).filter(v -> v.startsWith("urn:oid:"))
                    .map(v -> " (VSAC " + v.substring("urn:oid:".length()) + ")").findFirst().orElse("");
            names.add(valueSet.getIdElement().getIdPart() + oid);
        }
        return String.join(", ", names);
    }

    private static String statusesOf(String libraryName) {
        Set<String> used = cql.reachableFrom(libraryName).functionNames();
        return STATUS_WORDS.stream().filter(e -> used.contains(e.getKey())).map(Map.Entry::getValue)
                .collect(Collectors.joining("; "));
    }
}
