package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * A CQL-level case: {@code cql/tests/<Library>/<case>/} holds the patient's FHIR resources (one
 * resource or Bundle per JSON file) and {@code expected-results.json}, a FHIR Parameters resource
 * naming the defines the case is about and their expected values.
 */
public record CqlCase(String library, String name, Path folder) {

    public static final String EXPECTED_RESULTS = "expected-results.json";
    public static final String EVALUATION_DATE_EXTENSION = "http://legcrampcds.org/fhir/StructureDefinition/evaluation-date";

    static String evaluationDateOf(JsonNode expectedResults, Path file) {
        for (JsonNode extension : expectedResults.path("extension")) {
            if (EVALUATION_DATE_EXTENSION.equals(extension.path("url").asText())) {
                return extension.path("valueDate").asText();
            }
        }
        throw new CaseFileSchema.CaseFileException(file, "has no extension " + EVALUATION_DATE_EXTENSION
                + " with a valueDate (the date the case's data is written as of)");
    }
}
