package org.legcramp.cds.casetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.ValueSet;
import org.legcramp.cds.cards.Indicators;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.monitoring.TrafficClass;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * One rule id threads the catalogue: CQL library (PascalCase of the id), PlanDefinitions
 * ({@code <rule-id>-<hook>}), hook cases ({@code hook-cases/<rule-id>/}, at least one that fires
 * and one that stays silent), docs page ({@code docs/rules/<rule-id>.md}) and the table in
 * docs/rules/README.md. Each check gives what is missing or disagrees, one line each; {@code
 * ./cql-test} prints them and {@code RuleCatalogueTest} fails the build on them.
 */
public final class CatalogueChecks {

    public static final String SHARED_LIBRARY = "LegCrampCommon";
    static final String EDUCATION_PAGE = "education/leg-cramps.html";
    static final String RULES_TABLE = "docs/rules/README.md";

    /** A check's outcome: {@code failures} empty when it holds; {@code notCheckedBecause} set when it could not be made. */
    public record Check(String name, List<String> failures, String notCheckedBecause) {

        public boolean passed() {
            return failures.isEmpty();
        }
    }

    private final Path root;
    private final KnowledgeArtifacts content;
    private final CqlLibraries cql;
    private final RuleCatalog catalog;
    private final Path currentRulesTable;
    private List<HookCaseSpec> hookCases;

    /**
     * @param root the checkout (cql/, fhir-resources/, docs/)
     * @param catalog the rules of the content; rules left out because their CQL does not translate
     *     count as rules, but what only their translated CQL can tell is not checked for them
     * @param currentRulesTable where to write the table docs/rules/README.md should read, when it does not
     */
    public CatalogueChecks(Path root, KnowledgeArtifacts content, CqlLibraries cql, RuleCatalog catalog, Path currentRulesTable) {
        this.root = root;
        this.content = content;
        this.cql = cql;
        this.catalog = catalog;
        this.currentRulesTable = currentRulesTable;
    }

    /** Every check, in the order a reader fixes them. */
    /** The hook cases, read from disk once for all the checks that look at them. */
    private List<HookCaseSpec> hookCases() {
        if (hookCases == null) {
            hookCases = CaseFiles.hookCases(root, null, null);
        }
        return hookCases;
    }

    public List<Check> all() {
        List<Check> checks = new ArrayList<>();
        checks.add(check("every service is named <rule-id>-<hook>", this::everyServiceIsNamedForItsRuleAndHook));
        checks.add(check("every rule has its own CQL library named for it", this::everyRuleHasItsOwnCqlLibraryNamedForIt));
        checks.add(check("every rule uses value sets", this::everyRuleUsesValueSets));
        checks.add(check("every rule has a fires- and a silent- hook case, and no other", this::everyRuleHasAFiresCaseAndASilentCaseAndNothingElse));
        checks.add(check("every hook case sends exactly the prefetch its service asks for", this::everyHookCaseSendsExactlyThePrefetchItsServiceAsksFor));
        checks.add(check("every hook case request says it is test traffic", this::everyHookCaseRequestSaysItIsTestTraffic));
        checks.add(check("every rule has a docs page", this::everyRuleHasADocsPage));
        checks.add(check("every card links the patient education page", this::everyCardLinksThePatientEducationPage));
        if (catalog.untranslatedServices().isEmpty()) {
            checks.add(check(RULES_TABLE + " is current", this::rulesTableInDocsIsCurrent));
        } else {
            checks.add(new Check(RULES_TABLE + " is current", List.of(), "a rule's CQL does not translate"));
        }
        return checks;
    }

    private static Check check(String name, Supplier<List<String>> failures) {
        return new Check(name, failures.get(), null);
    }

    public List<String> everyServiceIsNamedForItsRuleAndHook() {
        return catalog.services().stream().filter(service -> !service.id().endsWith("-" + service.hook().id()))
                .map(service -> "service " + service.id() + " does not end in its hook, -" + service.hook().id())
                .toList();
    }

    public List<String> everyRuleHasItsOwnCqlLibraryNamedForIt() {
        List<String> failures = new ArrayList<>();
        for (CdsService service : catalog.services()) {
            String expected = CaseFiles.libraryNameOfRule(service.ruleId());
            if (!service.libraryName().equals(expected)) {
                failures.add("service " + service.id() + " uses library " + service.libraryName() + "; rule "
                        + service.ruleId() + " has the library " + expected);
            }
        }
        Set<String> ruleLibraries = catalog.ruleIds().stream().map(CaseFiles::libraryNameOfRule)
                .collect(Collectors.toCollection(TreeSet::new));
        for (String library : new TreeSet<>(content.cqlSourceByLibraryName().keySet())) {
            if (!library.equals(SHARED_LIBRARY) && !ruleLibraries.contains(library)) {
                failures.add("cql/" + library + ".cql belongs to no rule (no PlanDefinition of rule "
                        + ruleIdOfLibrary(library) + ")");
            }
        }
        for (String library : ruleLibraries) {
            if (!content.cqlSourceByLibraryName().containsKey(library)) {
                failures.add("a rule has no library cql/" + library + ".cql");
            }
        }
        return failures;
    }

    public List<String> everyRuleUsesValueSets() {
        return catalog.services().stream().map(CdsService::libraryName).distinct()
                .filter(library -> cql.valueSetUrls(library).isEmpty())
                .map(library -> "cql/" + library + ".cql declares no value set (codes belong in value sets)")
                .toList();
    }

    public List<String> everyRuleHasAFiresCaseAndASilentCaseAndNothingElse() {
        Map<String, List<HookCaseSpec>> casesByRule = new TreeMap<>();
        hookCases().forEach(c -> casesByRule.computeIfAbsent(c.rule(), r -> new ArrayList<>()).add(c));
        List<String> failures = new ArrayList<>();
        for (String rule : catalog.ruleIds()) {
            List<HookCaseSpec> cases = casesByRule.getOrDefault(rule, List.of());
            if (cases.stream().noneMatch(c -> c.name().startsWith("fires-"))) {
                failures.add("rule " + rule + " has no case that must fire (fhir-resources/hook-cases/" + rule + "/fires-...)");
            }
            if (cases.stream().noneMatch(c -> c.name().startsWith("silent-"))) {
                failures.add("rule " + rule + " has no case that must stay silent (fhir-resources/hook-cases/" + rule + "/silent-...)");
            }
        }
        casesByRule.forEach((rule, cases) -> {
            if (!catalog.ruleIds().contains(rule)) {
                failures.add("fhir-resources/hook-cases/" + rule + " is the folder of no rule");
            }
            for (HookCaseSpec hookCase : cases) {
                if (!hookCase.name().matches("(fires|silent)-[a-z0-9-]+")) {
                    failures.add(hookCase.displayName() + ": a case name starts with fires- or silent- (lower case, digits, hyphens)");
                } else if (hookCase.fires() != hookCase.name().startsWith("fires-")) {
                    failures.add(hookCase.displayName() + ": the name says " + (hookCase.fires() ? "silent" : "fires")
                            + " but expected.json expects " + (hookCase.fires() ? "cards" : "no card"));
                }
                if (!hookCase.service().startsWith(rule + "-")) {
                    failures.add(hookCase.displayName() + ": calls service " + hookCase.service() + ", not one of rule " + rule);
                }
            }
        });
        return failures;
    }

    public List<String> everyHookCaseSendsExactlyThePrefetchItsServiceAsksFor() {
        List<String> failures = new ArrayList<>();
        for (HookCaseSpec hookCase : hookCases()) {
            if (catalog.untranslatedServices().containsKey(hookCase.service())) {
                continue; // its prefetch comes from CQL that does not translate; the case fails for that
            }
            CdsService service = catalog.service(hookCase.service()).orElse(null);
            if (service == null) {
                failures.add(hookCase.displayName() + ": calls service " + hookCase.service() + ", which does not exist");
                continue;
            }
            Set<String> sent = new TreeSet<>();
            hookCase.request().path("prefetch").fieldNames().forEachRemaining(sent::add);
            Set<String> asked = new TreeSet<>(service.prefetch().keySet());
            if (!sent.equals(asked)) {
                failures.add(hookCase.displayName() + ": sends prefetch " + sent + "; " + service.id() + " asks for " + asked);
            }
        }
        return failures;
    }

    /** So that a sample posted by hand is not counted in the analytics as a clinician's call. */
    public List<String> everyHookCaseRequestSaysItIsTestTraffic() {
        List<String> failures = new ArrayList<>();
        for (HookCaseSpec hookCase : hookCases()) {
            String declared = hookCase.request().path("extension").path(TrafficClass.REQUEST_EXTENSION).asText("");
            if (!declared.equals("test")) {
                failures.add(hookCase.displayName() + "/request.json: needs \"extension\": {\""
                        + TrafficClass.REQUEST_EXTENSION + "\": \"test\"}");
            }
        }
        return failures;
    }

    public List<String> everyRuleHasADocsPage() {
        Set<String> pages = markdownPages(root.resolve("docs/rules"));
        pages.remove("README");
        List<String> failures = new ArrayList<>();
        for (String rule : catalog.ruleIds()) {
            if (!pages.contains(rule)) {
                failures.add("rule " + rule + " has no docs page docs/rules/" + rule + ".md");
            }
        }
        pages.stream().filter(page -> !catalog.ruleIds().contains(page))
                .forEach(page -> failures.add("docs/rules/" + page + ".md is the page of no rule"));
        return failures;
    }

    public List<String> everyCardLinksThePatientEducationPage() {
        List<String> failures = new ArrayList<>();
        for (CdsService service : catalog.services()) {
            for (PlanDefinitionActionComponent action : service.actions()) {
                if (action.getDocumentation().stream().noneMatch(doc -> EDUCATION_PAGE.equals(doc.getUrl()))) {
                    failures.add(content.fileOf(service.planDefinition().getUrl()) + ": action '" + action.getTitle()
                            + "' has no documentation entry with url " + EDUCATION_PAGE);
                }
            }
        }
        return failures;
    }

    public List<String> rulesTableInDocsIsCurrent() {
        String expected = rulesTable();
        Path table = root.resolve(RULES_TABLE);
        try {
            String actual = Files.exists(table) ? Files.readString(table) : "";
            if (actual.equals(expected)) {
                return List.of();
            }
            Files.createDirectories(currentRulesTable.toAbsolutePath().getParent());
            Files.writeString(currentRulesTable, expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(RULES_TABLE + " is out of date; the current table is in " + currentRulesTable);
    }

    private static String ruleIdOfLibrary(String library) {
        return library.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static Set<String> markdownPages(Path folder) {
        if (!Files.isDirectory(folder)) {
            return new TreeSet<>();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md"))
                    .map(n -> n.substring(0, n.length() - ".md".length())).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The table of rules, as docs/rules/README.md must read. */
    String rulesTable() {
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
                    indicators.add(action.getTitle() + " (" + Indicators.of(action.getPriority()) + ")");
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

    private String valueSetsOf(String libraryName) {
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

    private String statusesOf(String libraryName) {
        Set<String> used = cql.reachableFrom(libraryName).functionNames();
        return STATUS_WORDS.stream().filter(e -> used.contains(e.getKey())).map(Map.Entry::getValue)
                .collect(Collectors.joining("; "));
    }
}
