package org.legcramp.cds.casetest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.cards.Explanations;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.CqlTranslationException;
import org.legcramp.cds.cql.CqlValues;
import org.legcramp.cds.cql.InMemoryTerminologyProvider;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.hooks.HookRequestParser;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.prefetch.FhirFetcher;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.prefetch.RequiredDataUnavailableException;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Runs the informaticists' cases against the content in a repository checkout, with the same
 * engine, retrieve, terminology and card code the service uses: CQL-level cases (define values) and
 * hook-level cases (cards). Collects coverage across every evaluation it makes.
 */
public final class CaseRunner implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the cases' cards link the service's own pages (patient education). */
    public static final URI CARD_LINK_BASE = URI.create("http://localhost/");

    private final Path root;
    private final KnowledgeArtifacts content;
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final CqlLibraries cql;
    private final RuleCatalog catalog;
    private final CqlEvaluator evaluator;
    private final CardBuilder cardBuilder;
    private final HookRequestParser parser;
    private final PatientDataAssembler dataAssembler;
    private final ExecutorService fetchPool = Executors.newSingleThreadExecutor();
    private final Coverage coverage;
    /** The service's default settings (limits, deadline), as application.yml would give them. */
    private final CdsProperties settings;

    /** @param root a checkout: the folder holding cql/ and fhir-resources/ */
    public CaseRunner(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.content = new ContentLoader(fhir).load(this.root.toUri().toString());
        // A library that does not translate fails its own cases (and those of the libraries that
        // include it); every other case still runs.
        this.cql = new CqlLibraries(content.cqlSourceByLibraryName());
        this.catalog = RuleCatalog.ofTranslatedRules(content, cql);
        this.evaluator = new CqlEvaluator(cql, new InMemoryTerminologyProvider(content.valueSets()), fhir);
        this.cardBuilder = new CardBuilder(catalog, fhir);
        this.settings = new Binder().bindOrCreate("legcramp", Bindable.of(CdsProperties.class));
        this.parser = new HookRequestParser(fhir, settings);
        this.dataAssembler = new PatientDataAssembler(
                new FhirFetcher(fhir, settings.fhirFetchTimeout(), settings.maxFetchedResources()), fetchPool,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Map<String, String> sourceFiles = new java.util.HashMap<>();
        content.cqlSourceByLibraryName().keySet().forEach(library ->
                sourceFiles.put(library, this.root.resolve(content.fileOf(library)).toString()));
        this.coverage = new Coverage(cql, cql.names(), sourceFiles);
    }

    public Coverage coverage() {
        return coverage;
    }

    /** The content's libraries that do not translate, each with its first error (see {@link CqlLibraries#untranslated()}). */
    public Map<String, CqlTranslationException> untranslatedLibraries() {
        return cql.untranslated();
    }

    /** The catalogue checks over this checkout's content and cases. */
    public CatalogueChecks catalogueChecks(Path currentRulesTable) {
        return new CatalogueChecks(root, content, cql, catalog, currentRulesTable);
    }

    public List<CqlCase> cqlCases(String libraryOrRule, String caseName) {
        return CaseFiles.cqlCases(root, libraryOrRule, caseName);
    }

    public List<HookCaseSpec> hookCases(String libraryOrRule, String caseName) {
        return CaseFiles.hookCases(root, libraryOrRule, caseName);
    }

    // ---- running cases

    public CaseResult run(CqlCase cqlCase) {
        CqlTranslationException untranslated = cql.untranslated().get(cqlCase.library());
        if (untranslated != null) {
            return new CaseResult("cql", cqlCase.library(), cqlCase.name(), List.of(untranslated.getMessage()), List.of());
        }
        Path expectedFile = cqlCase.folder().resolve(CqlCase.EXPECTED_RESULTS);
        JsonNode expectedJson = CaseFiles.readJson(expectedFile);
        long days;
        try {
            days = CaseDates.daysSince(CaseFileSchema.expectedResults(expectedFile, expectedJson));
        } catch (CaseFileSchema.CaseFileException e) {
            return new CaseResult("cql", cqlCase.library(), cqlCase.name(), List.of(e.getMessage()), List.of());
        }
        JsonNode expected = CaseDates.roll(expectedJson.deepCopy(), days);
        List<Resource> resources = new ArrayList<>();
        IParser fhirParser = fhir.newJsonParser();
        for (Path file : files(cqlCase.folder())) {
            if (!file.getFileName().toString().equals(CqlCase.EXPECTED_RESULTS)) {
                Resource resource = (Resource) fhirParser.parseResource(CaseDates.roll(CaseFiles.readJson(file), days).toString());
                if (resource instanceof Bundle bundle) {
                    bundle.getEntry().forEach(entry -> resources.add(entry.getResource()));
                } else {
                    resources.add(resource);
                }
            }
        }
        String patientId = resources.stream().filter(r -> r.fhirType().equals("Patient")).findFirst()
                .map(r -> r.getIdElement().getIdPart())
                .orElseThrow(() -> new IllegalArgumentException(cqlCase.folder() + " has no Patient resource"));
        Evaluation evaluation = evaluator.evaluate(cqlCase.library(), patientId, resources, ZonedDateTime.now(ZoneOffset.UTC),
                Map.of(), true);
        coverage.record(evaluation, "cql " + cqlCase.library() + "/" + cqlCase.name());

        List<String> differences = new ArrayList<>();
        List<String> explanation = new ArrayList<>();
        for (JsonNode parameter : expected.path("parameter")) {
            String define = parameter.get("name").asText();
            coverage.checked(cqlCase.library(), define);
            if (!evaluation.values().containsKey(define)) {
                differences.add("define \"" + define + "\": not in library " + cqlCase.library());
                continue;
            }
            Object expectedValue = expectedValue(parameter);
            Object actualValue = comparable(CqlValues.plain(evaluation.value(define)));
            if (!sameValue(expectedValue, actualValue)) {
                differences.add("define \"" + define + "\": expected " + render(expectedValue) + ", actual " + render(actualValue));
                if (explanation.isEmpty()) {
                    explanation.add(Explanations.evaluatedWith(evaluation));
                }
                explanation.add("\"" + define + "\" read " + evaluation.resourcesBehind().getOrDefault(define, List.of()));
            }
        }
        return new CaseResult("cql", cqlCase.library(), cqlCase.name(), differences, explanation);
    }

    public CaseResult run(HookCaseSpec hookCase) {
        CqlTranslationException untranslated = catalog.untranslatedServices().get(hookCase.service());
        if (untranslated != null) {
            return new CaseResult("hook", hookCase.rule(), hookCase.name(), List.of(untranslated.getMessage()), List.of());
        }
        CdsService service = catalog.service(hookCase.service()).orElse(null);
        if (service == null) {
            return new CaseResult("hook", hookCase.rule(), hookCase.name(),
                    List.of("service \"" + hookCase.service() + "\" does not exist"), List.of());
        }
        List<String> differences = new ArrayList<>();
        List<String> explanation = new ArrayList<>();
        try {
            HookRequest request = parser.parse(hookCase.request(), service.hook(), service.dataNeeds());
            Evaluation evaluation = evaluate(service, request, Instant.now());
            coverage.record(evaluation, "hook " + hookCase.displayName());
            List<Card> cards = cardBuilder.cards(service, evaluation, request.patientId(), CARD_LINK_BASE, false);
            differences.addAll(CardExpectations.differences(hookCase.expected().get("cards"), JSON.valueToTree(cards)));
            if (!differences.isEmpty()) {
                explanation.addAll(Explanations.lines(service, evaluation));
            }
        } catch (BadRequestException e) {
            differences.add("the request is invalid: " + e.getMessage());
        } catch (RequiredDataUnavailableException e) {
            differences.add("the request lacks data the service needs: " + e.getMessage());
        }
        return new CaseResult("hook", hookCase.rule(), hookCase.name(), differences, explanation);
    }

    /**
     * Our cards for a hook case, as the service would answer it at {@code now} (links resolved
     * against {@link #CARD_LINK_BASE}); for comparing engines.
     *
     * @throws IllegalArgumentException when the case names no service of the content
     */
    public List<Card> cards(HookCaseSpec hookCase, Instant now) {
        CdsService service = catalog.service(hookCase.service())
                .orElseThrow(() -> new IllegalArgumentException("service \"" + hookCase.service() + "\" does not exist"));
        HookRequest request = parser.parse(hookCase.request(), service.hook(), service.dataNeeds());
        return cardBuilder.cards(service, evaluate(service, request, now), request.patientId(), CARD_LINK_BASE, false);
    }

    private Evaluation evaluate(CdsService service, HookRequest request, Instant now) {
        List<Resource> data = dataAssembler.assemble(service, request, now.plus(settings.requestDeadline())).all();
        return evaluator.evaluate(service.libraryName(), request.patientId(), data,
                ZonedDateTime.ofInstant(now, ZoneOffset.UTC), Map.of(), true);
    }

    // ---- values

    private static Object expectedValue(JsonNode parameter) {
        if (parameter.has("part")) {
            List<Object> items = new ArrayList<>();
            parameter.get("part").forEach(part -> items.add(expectedValue(part)));
            return comparable(items);
        }
        for (var field : parameter.properties()) {
            if (field.getKey().startsWith("value")) {
                JsonNode value = field.getValue();
                return switch (field.getKey()) {
                    case "valueBoolean" -> value.asBoolean();
                    case "valueInteger" -> value.asInt();
                    case "valueDecimal" -> value.decimalValue().stripTrailingZeros();
                    default -> value.asText();
                };
            }
        }
        return null;
    }

    /** Lists compare without regard to order; an empty list is "nothing", like null. */
    private static Object comparable(Object value) {
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                return null;
            }
            return list.stream().map(item -> comparable(item) == null ? "null" : String.valueOf(comparable(item))).sorted().toList();
        }
        if (value instanceof Long number) {
            return number.intValue();
        }
        return value;
    }

    private static boolean sameValue(Object expected, Object actual) {
        if (expected instanceof BigDecimal e && actual instanceof BigDecimal a) {
            return e.compareTo(a) == 0;
        }
        return java.util.Objects.equals(expected, actual);
    }

    private static String render(Object value) {
        if (value == null) {
            return "nothing (null or empty)";
        }
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    // ---- files

    private static List<Path> files(Path parent) {
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        fetchPool.shutdownNow();
    }
}
