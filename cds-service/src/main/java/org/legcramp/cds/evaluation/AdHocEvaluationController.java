package org.legcramp.cds.evaluation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.CqlValues;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.HookRequestParser;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /cql/evaluate}: evaluate one content library on one patient bundle, with optional
 * parameter values and evaluation time, and get every define's value. For informaticists poking
 * at a patient; see docs/authoring.md. Off with {@code legcramp.ad-hoc-evaluation.enabled=false}.
 */
@RestController
@ConditionalOnProperty(name = "legcramp.ad-hoc-evaluation.enabled", havingValue = "true", matchIfMissing = true)
public class AdHocEvaluationController {

    private final CqlLibraries libraries;
    private final CqlEvaluator evaluator;
    private final FhirContext fhirContext;
    private final HookRequestParser json;

    public AdHocEvaluationController(CqlLibraries libraries, CqlEvaluator evaluator, FhirContext fhirContext,
            HookRequestParser json) {
        this.libraries = libraries;
        this.evaluator = evaluator;
        this.fhirContext = fhirContext;
        this.json = json;
    }

    @PostMapping(path = "/cql/evaluate", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> evaluate(HttpServletRequest http) {
        JsonNode request = json.readJson(http);
        String library = request.path("library").asText("");
        if (!libraries.names().contains(library)) {
            throw new BadRequestException("'library' must name a content library, one of " + libraries.names());
        }
        List<Resource> resources = patientBundle(request.get("patient"));
        String patientId = resources.stream().filter(r -> r.fhirType().equals("Patient"))
                .map(r -> r.getIdElement().getIdPart()).findFirst()
                .orElseThrow(() -> new BadRequestException("'patient' must hold a Patient resource with an id"));
        ZonedDateTime evaluationTime = evaluationTime(request.get("evaluationDateTime"));
        Map<String, Object> parameters = ParameterValues.of(libraries, library, request.get("parameters"));

        var evaluation = evaluator.evaluate(library, patientId, resources, evaluationTime, parameters);
        Map<String, Object> defines = new LinkedHashMap<>();
        evaluation.values().forEach((name, value) -> {
            if (!"Patient".equals(name)) {
                defines.put(name, CqlValues.plain(value));
            }
        });
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("library", library);
        response.put("patientId", patientId);
        response.put("evaluationDateTime", evaluationTime.toOffsetDateTime().toString());
        response.put("defines", defines);
        response.put("resourcesBehind", evaluation.resourcesBehind());
        return response;
    }

    private List<Resource> patientBundle(JsonNode patient) {
        if (patient == null || !patient.isObject()) {
            throw new BadRequestException("'patient' must be a FHIR Bundle (or a single resource) of one patient's data");
        }
        Resource parsed;
        try {
            parsed = (Resource) fhirContext.newJsonParser().parseResource(patient.toString());
        } catch (DataFormatException e) {
            throw new BadRequestException("'patient' is not valid FHIR R4: " + e.getMessage());
        }
        List<Resource> resources = new ArrayList<>();
        if (parsed instanceof Bundle bundle) {
            bundle.getEntry().stream().filter(Bundle.BundleEntryComponent::hasResource).forEach(e -> resources.add(e.getResource()));
        } else {
            resources.add(parsed);
        }
        return resources;
    }

    private static ZonedDateTime evaluationTime(JsonNode value) {
        if (value == null || value.isNull()) {
            return ZonedDateTime.now(ZoneOffset.UTC);
        }
        try {
            return OffsetDateTime.parse(value.asText()).toZonedDateTime();
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'evaluationDateTime' must be an ISO 8601 date-time with offset, e.g. 2026-11-20T09:00:00Z");
        }
    }
}
