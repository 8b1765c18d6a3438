package org.legcramp.cds.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.cards.Explanations;
import org.legcramp.cds.casetest.CardExpectations;
import org.legcramp.cds.casetest.CaseDates;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.casetest.CqlCase;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlEvaluationException;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.ValueSetCodes;
import org.legcramp.cds.evaluation.ParameterValues;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.hooks.HookRequestParser;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * What the informaticists' workbench does, without HTTP: lists the sample patients (hook cases and
 * CQL cases of a checkout), the services with their parameters, and the products of the drug value
 * sets; runs one service on one patient with parameter overrides, and with edited CQL
 * ({@link LiveCql}), and says, for each card of the rule, why it fired or did not; runs a rule's
 * whole case set, as saved and with those changes. A run goes through the same parser,
 * data assembly, engine and card mapping as a hook call, but is never recorded: no ledger, no
 * firing-rate counts, no repeat suppression, so workbench traffic cannot reach the analytics.
 */
public final class Workbench {

    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RuleCatalog catalog;
    private final CqlLibraries libraries;
    private final CqlEvaluator evaluator;
    private final CardBuilder cardBuilder;
    private final HookRequestParser parser;
    private final PatientDataAssembler dataAssembler;
    private final CdsProperties properties;
    private final KnowledgeArtifacts content;
    private final Path casesRoot;
    private final LiveCql liveCql;

    public Workbench(RuleCatalog catalog, CqlLibraries libraries, CqlEvaluator evaluator, CardBuilder cardBuilder,
            HookRequestParser parser, PatientDataAssembler dataAssembler, CdsProperties properties,
            KnowledgeArtifacts content, Path casesRoot) {
        this.catalog = catalog;
        this.libraries = libraries;
        this.evaluator = evaluator;
        this.cardBuilder = cardBuilder;
        this.parser = parser;
        this.dataAssembler = dataAssembler;
        this.properties = properties;
        this.content = content;
        this.casesRoot = casesRoot;
        this.liveCql = new LiveCql(catalog, libraries, evaluator);
    }

    // ---- what there is to pick

    /** Every per-rule service, with its rule, hook, library and parameters (name, CQL type, default as written). */
    public List<Map<String, Object>> services() {
        List<Map<String, Object>> services = new ArrayList<>();
        for (CdsService service : catalog.services()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", service.id());
            entry.put("rule", service.ruleId());
            entry.put("hook", service.hook().id());
            entry.put("title", service.title());
            entry.put("library", service.libraryName());
            entry.put("libraries", libraries.contentIdentifiersUsedBy(service.libraryName()).stream().map(i -> i.getId()).toList());
            entry.put("parameters", parameters(service.libraryName()));
            services.add(entry);
        }
        return services;
    }

    private List<Map<String, Object>> parameters(String library) {
        Map<String, String> defaults = libraries.parameterDefaults(library);
        List<Map<String, Object>> parameters = new ArrayList<>();
        libraries.parameterTypes(library).forEach((name, type) -> {
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", name);
            parameter.put("type", type);
            parameter.put("default", defaults.get(name));
            parameters.add(parameter);
        });
        return parameters;
    }

    /** The sample patients: every hook case and every CQL case of the checkout, with the services each can run on. */
    public List<Map<String, Object>> cases() {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (HookCaseSpec hookCase : CaseFiles.hookCases(casesRoot, null, null)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", "hook/" + hookCase.rule() + "/" + hookCase.name());
            entry.put("kind", "hook");
            entry.put("rule", hookCase.rule());
            entry.put("name", hookCase.name());
            entry.put("service", hookCase.service());
            entry.put("fires", hookCase.fires());
            cases.add(entry);
        }
        for (CqlCase cqlCase : CaseFiles.cqlCases(casesRoot, null, null)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", "cql/" + cqlCase.library() + "/" + cqlCase.name());
            entry.put("kind", "cql");
            entry.put("library", cqlCase.library());
            entry.put("name", cqlCase.name());
            entry.put("services", catalog.services().stream().filter(s -> s.libraryName().equals(cqlCase.library()))
                    .map(CdsService::id).toList());
            cases.add(entry);
        }
        return cases;
    }

    /**
     * One case's patient, dates rolled to today: a hook case's request (and the service it is for),
     * or a CQL case's resources as one collection Bundle.
     */
    public Map<String, Object> caseData(String kind, String group, String name) {
        Map<String, Object> data = new LinkedHashMap<>();
        if ("hook".equals(kind)) {
            HookCaseSpec hookCase = CaseFiles.hookCases(casesRoot, group, null).stream()
                    .filter(c -> c.rule().equals(group) && c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new BadRequestException("No hook case " + group + "/" + name));
            data.put("service", hookCase.service());
            data.put("request", hookCase.request());
            data.put("expected", hookCase.expected());
            return data;
        }
        if ("cql".equals(kind)) {
            CqlCase cqlCase = CaseFiles.cqlCases(casesRoot, group, null).stream()
                    .filter(c -> c.library().equals(group) && c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new BadRequestException("No CQL case " + group + "/" + name));
            data.put("bundle", cqlCaseBundle(cqlCase));
            return data;
        }
        throw new BadRequestException("a case is of kind 'hook' or 'cql'");
    }

    private ObjectNode cqlCaseBundle(CqlCase cqlCase) {
        JsonNode expected = readJson(cqlCase.folder().resolve(CqlCase.EXPECTED_RESULTS));
        String date = "";
        for (JsonNode extension : expected.path("extension")) {
            if (CqlCase.EVALUATION_DATE_EXTENSION.equals(extension.path("url").asText())) {
                date = extension.path("valueDate").asText();
            }
        }
        long days = date.isEmpty() ? 0 : CaseDates.daysSince(LocalDate.parse(date));
        ObjectNode bundle = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "collection");
        ArrayNode entries = bundle.putArray("entry");
        try (var files = Files.list(cqlCase.folder())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                if (file.getFileName().toString().equals(CqlCase.EXPECTED_RESULTS)) {
                    continue;
                }
                JsonNode resource = CaseDates.roll(readJson(file), days);
                if ("Bundle".equals(resource.path("resourceType").asText())) {
                    resource.path("entry").forEach(entries::add);
                } else {
                    entries.addObject().set("resource", resource);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bundle;
    }

    /** Products an order can name: the RxNorm codes of the content's drug value sets, by display, filtered by words. */
    public List<Map<String, Object>> products(String query) {
        String[] words = query == null ? new String[0] : query.toLowerCase(Locale.ROOT).trim().split("\\s+");
        ValueSetCodes codes = new ValueSetCodes(content.valueSets());
        Map<String, Map<String, Object>> byCode = new TreeMap<>();
        for (ValueSet valueSet : content.valueSets()) {
            for (var code : codes.of(valueSet)) {
                if (!RXNORM.equals(code.getSystem()) || code.getDisplay() == null) {
                    continue;
                }
                String display = code.getDisplay();
                boolean matches = true;
                for (String word : words) {
                    matches &= word.isEmpty() || display.toLowerCase(Locale.ROOT).contains(word) || code.getCode().equals(word);
                }
                if (matches) {
                    Map<String, Object> product = byCode.computeIfAbsent(code.getCode(), c -> {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("system", RXNORM);
                        entry.put("code", c);
                        entry.put("display", display);
                        entry.put("valueSets", new ArrayList<String>());
                        return entry;
                    });
                    @SuppressWarnings("unchecked")
                    List<String> in = (List<String>) product.get("valueSets");
                    if (!in.contains(valueSet.getName())) {
                        in.add(valueSet.getName());
                    }
                }
            }
        }
        return byCode.values().stream()
                .sorted((a, b) -> String.valueOf(a.get("display")).compareToIgnoreCase(String.valueOf(b.get("display"))))
                .limit(50).toList();
    }

    /**
     * A content library's CQL as saved, with the content libraries it includes (those can be edited
     * too), for the live editor.
     */
    public Map<String, Object> cql(String library) {
        if (!libraries.contains(library)) {
            throw new BadRequestException("'" + library + "' is not a CQL library of the content; there are "
                    + new java.util.TreeSet<>(libraries.names()));
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("library", library);
        entry.put("source", libraries.source(library));
        entry.put("includes", libraries.contentIdentifiersUsedBy(library).stream().map(i -> i.getId())
                .filter(name -> !name.equals(library)).toList());
        return entry;
    }

    // ---- running

    /**
     * Runs one service on one patient.
     *
     * @param run {@code service}; either {@code request} (a full hook request) or {@code bundle} (the
     *     patient's resources; draft orders are its draft MedicationRequests and ServiceRequests) with
     *     optional {@code drafts} (products to order: {@code system}, {@code code}, {@code display});
     *     optional {@code parameters} (name to value, as {@code POST /cql/evaluate} takes them);
     *     optional {@code cql} (library name to edited CQL text, evaluated for this run only)
     */
    public Map<String, Object> run(JsonNode run, URI baseUrl) {
        CdsService savedService = service(run.path("service").asText(""));
        LiveCql.Content content = liveCql.of(run.get("cql"), savedService.libraryName());
        CdsService service = liveCql.service(content, savedService);
        ObjectNode request = run.hasNonNull("request") && run.get("request").isObject()
                ? (ObjectNode) run.get("request").deepCopy()
                : WorkbenchRequests.fromBundle(service, run.get("bundle"), run.get("drafts"));
        Map<String, Object> parameters = ParameterValues.of(content.libraries(), service.libraryName(), run.get("parameters"));
        Outcome outcome = evaluate(content, service, request, parameters, baseUrl);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("service", service.id());
        result.put("cards", outcome.cards());
        result.put("why", outcome.why());
        result.put("cql", content.summary());
        result.put("request", request);
        return result;
    }

    /**
     * Runs every hook case of a rule as saved (saved CQL, default parameters) and with the run's
     * changes (edited CQL and parameter overrides): per case, whether it fires each way, whether
     * its outcome changed, and whether it passes (its expected cards) each way.
     */
    public Map<String, Object> runCases(JsonNode run, URI baseUrl) {
        String rule = run.path("rule").asText("");
        List<HookCaseSpec> cases = CaseFiles.hookCases(casesRoot, rule, null);
        if (cases.isEmpty()) {
            throw new BadRequestException("No hook cases for rule '" + rule + "'");
        }
        LiveCql.Content asSaved = liveCql.saved();
        // A rule is one library, whichever hook its services are on.
        LiveCql.Content changed = liveCql.of(run.get("cql"), service(cases.get(0).service()).libraryName());
        List<Map<String, Object>> results = new ArrayList<>();
        for (HookCaseSpec hookCase : cases) {
            CdsService savedService = service(hookCase.service());
            CdsService service = liveCql.service(changed, savedService);
            Map<String, Object> overrides = ParameterValues.of(changed.libraries(), service.libraryName(), run.get("parameters"));
            Outcome with = evaluate(changed, service, hookCase.request().deepCopy(), overrides, baseUrl);
            Outcome without = overrides.isEmpty() && !changed.isEdited() ? with
                    : evaluate(asSaved, savedService, hookCase.request().deepCopy(), Map.of(), baseUrl);
            List<String> differences = CardExpectations.differences(hookCase.expected().get("cards"), JSON.valueToTree(with.cards()));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("case", hookCase.name());
            result.put("service", service.id());
            result.put("expectedToFire", hookCase.fires());
            result.put("fires", !with.cards().isEmpty());
            result.put("firesAsSaved", !without.cards().isEmpty());
            result.put("changed", with.cards().isEmpty() != without.cards().isEmpty());
            result.put("passed", differences.isEmpty());
            result.put("passedAsSaved", with == without ? differences.isEmpty()
                    : CardExpectations.differences(hookCase.expected().get("cards"), JSON.valueToTree(without.cards())).isEmpty());
            result.put("differences", differences);
            results.add(result);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("rule", rule);
        summary.put("passed", results.stream().filter(r -> Boolean.TRUE.equals(r.get("passed"))).count());
        summary.put("failed", results.stream().filter(r -> !Boolean.TRUE.equals(r.get("passed"))).count());
        summary.put("changed", results.stream().filter(r -> Boolean.TRUE.equals(r.get("changed"))).count());
        summary.put("cql", changed.summary());
        summary.put("cases", results);
        return summary;
    }

    private record Outcome(List<Card> cards, Map<String, Object> why) {}

    private Outcome evaluate(LiveCql.Content content, CdsService service, ObjectNode requestJson,
            Map<String, Object> parameters, URI baseUrl) {
        HookRequest request = parser.parse(requestJson, service.hook(), service.dataNeeds());
        Instant now = Instant.now();
        List<Resource> data = dataAssembler.assemble(service, request, now.plus(properties.requestDeadline())).all();
        Evaluation evaluation;
        try {
            evaluation = content.evaluator().evaluate(service.libraryName(), request.patientId(), data,
                    ZonedDateTime.ofInstant(now, ZoneOffset.UTC), parameters, null, false);
        } catch (CqlEvaluationException e) {
            if (!content.isEdited()) {
                throw e;
            }
            // Edited CQL that translates can still fail on data (a value set the content lacks): the edit's fault.
            throw new BadRequestException("The edited CQL failed when evaluated: " + e.getMessage());
        }
        List<Card> cards = cardBuilder.cards(service, evaluation, request.patientId(), baseUrl, true);
        return new Outcome(cards, Explanations.ofService(service, evaluation));
    }

    private CdsService service(String id) {
        return catalog.service(id).orElseThrow(() -> new BadRequestException(
                "'service' must name a rule's service, e.g. " + catalog.services().iterator().next().id()));
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot read " + file, e);
        }
    }
}
