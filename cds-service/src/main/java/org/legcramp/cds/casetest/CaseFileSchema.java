package org.legcramp.cds.casetest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParserErrorHandler.IParseLocation;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Parameters;

/**
 * The one home of what a case's expectation files may say. A key the runner does not read is an
 * error, never ignored: a misspelt {@code summaryContain} would otherwise let every card pass.
 * <ul>
 *   <li>{@code expected.json} (hook case) maps strictly onto {@link HookExpectation}: {@code service},
 *       {@code evaluationDate}, {@code cards} of {@code indicator}, {@code summaryContains},
 *       {@code suggestionActions};</li>
 *   <li>{@code expected-results.json} (CQL case) is a FHIR R4 Parameters resource, parsed by HAPI with
 *       its strict error handler (an element FHIR does not define is an error), with the
 *       evaluation-date extension.</li>
 * </ul>
 */
public final class CaseFileSchema {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Set<String> INDICATORS = Set.of("info", "warning", "critical");
    private static final Set<String> SUGGESTION_ACTIONS = Set.of("create", "update", "delete");

    private CaseFileSchema() {}

    /** What a hook case expects: the service to call, the date its data is written as of, the cards. */
    public record HookExpectation(
            String service, String evaluationDate, List<CardExpectation> cards) {}

    /** One expected card; each field that is present must match. */
    public record CardExpectation(String indicator, String summaryContains, List<String> suggestionActions) {}

    /** @throws CaseFileException naming the file and the key that is wrong */
    public static HookExpectation hookExpectation(Path file, JsonNode expected) {
        HookExpectation parsed;
        try {
            parsed = STRICT.treeToValue(expected, HookExpectation.class);
        } catch (UnrecognizedPropertyException e) {
            throw new CaseFileException(file, "unknown key \"" + e.getPropertyName() + "\"" + at(e) + "; allowed: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)));
        } catch (JsonMappingException e) {
            throw new CaseFileException(file, e.getOriginalMessage() + at(e));
        } catch (JsonProcessingException e) {
            throw new CaseFileException(file, e.getOriginalMessage());
        }
        if (parsed.service() == null || parsed.evaluationDate() == null || parsed.cards() == null) {
            throw new CaseFileException(file, "needs \"service\", \"evaluationDate\" and \"cards\" (\"cards\": [] for a silent case)");
        }
        date(file, parsed.evaluationDate());
        for (int i = 0; i < parsed.cards().size(); i++) {
            CardExpectation card = parsed.cards().get(i);
            if (card == null) {
                throw new CaseFileException(file, "cards[" + i + "] is null");
            }
            if (card.indicator() != null && !INDICATORS.contains(card.indicator())) {
                throw new CaseFileException(file, "cards[" + i + "].indicator must be one of " + new TreeSet<>(INDICATORS)
                        + ", not \"" + card.indicator() + "\"");
            }
            if (card.suggestionActions() != null && !SUGGESTION_ACTIONS.containsAll(card.suggestionActions())) {
                throw new CaseFileException(file, "cards[" + i + "].suggestionActions may hold only "
                        + new TreeSet<>(SUGGESTION_ACTIONS) + ", not " + card.suggestionActions());
            }
        }
        return parsed;
    }

    /**
     * @return the case's evaluation date
     * @throws CaseFileException naming the file and the element that is wrong
     */
    public static LocalDate expectedResults(Path file, JsonNode expectedResults) {
        if (!"Parameters".equals(expectedResults.path("resourceType").asText())) {
            throw new CaseFileException(file, "must be a FHIR Parameters resource (\"resourceType\": \"Parameters\")");
        }
        Parameters parameters;
        try {
            parameters = (Parameters) FhirContext.forR4Cached().newJsonParser()
                    .setParserErrorHandler(new StrictButEvaluationDate()).parseResource(expectedResults.toString());
        } catch (DataFormatException e) {
            throw new CaseFileException(file, e.getMessage().replaceFirst("^HAPI-\\d+: ", ""));
        }
        for (Parameters.ParametersParameterComponent parameter : parameters.getParameter()) {
            if (!parameter.hasName()) {
                throw new CaseFileException(file, "every parameter needs a \"name\" (the define it checks)");
            }
        }
        String date = CqlCase.evaluationDateOf(expectedResults, file);
        return date(file, date);
    }

    /**
     * R4's Parameters is a Resource, not a DomainResource, so it has no {@code extension}; the
     * case's evaluation date is one anyway (the convention of the CQL tooling's test layout), and is
     * checked by {@link CqlCase#evaluationDateOf}. Everything else FHIR does not define is an error.
     */
    private static final class StrictButEvaluationDate extends StrictErrorHandler {
        @Override
        public void unknownElement(IParseLocation location, String elementName) {
            boolean topLevel = location == null || location.getParentElementName() == null
                    || "Parameters".equals(location.getParentElementName());
            if (!("extension".equals(elementName) && topLevel)) {
                super.unknownElement(location, elementName);
            }
        }
    }

    private static LocalDate date(Path file, String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new CaseFileException(file, "the evaluation date must be a date such as 2026-11-20, not \"" + text + "\"");
        }
    }

    private static String at(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            }
        }
        int last = path.lastIndexOf(".");
        String parent = e instanceof UnrecognizedPropertyException ? (last < 0 ? "" : path.substring(0, last)) : path.toString();
        return parent.isEmpty() ? "" : " in " + parent;
    }

    /** A case file that does not say what the runner can read; the message names the file. */
    public static final class CaseFileException extends IllegalArgumentException {
        private final transient Path file;

        public CaseFileException(Path file, String problem) {
            super(file + ": " + problem);
            this.file = file;
        }

        public Path file() {
            return file;
        }
    }
}
