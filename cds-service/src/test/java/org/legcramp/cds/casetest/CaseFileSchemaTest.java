package org.legcramp.cds.casetest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.legcramp.cds.casetest.CaseFileSchema.CaseFileException;
import org.springframework.util.FileSystemUtils;

/** A case file with a key the runner does not read fails, naming the file and the key; it is never ignored. */
class CaseFileSchemaTest {

    private static final Path REPO = Path.of("..");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOOK_CASE = "fhir-resources/hook-cases/new-diuretic/fires-info-for-new-furosemide";
    private static final String CQL_CASE = "cql/tests/QuinineForCramps/fires-quinine-ingredient-for-sleep-cramps";

    @TempDir
    Path checkout;

    private Path copy(String folder) throws IOException {
        FileSystemUtils.copyRecursively(REPO.resolve(folder), checkout.resolve(folder));
        return checkout.resolve(folder);
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    @Test
    void misspeltSummaryContainsFailsNamingTheFileAndTheKey() throws IOException {
        Path expected = copy(HOOK_CASE).resolve("expected.json");
        edit(expected, "\"summaryContains\"", "\"summaryContain\"");

        assertThatThrownBy(() -> CaseFiles.hookCases(checkout, null, null)).isInstanceOf(CaseFileException.class)
                .hasMessageContaining(expected.toString()).hasMessageContaining("unknown key \"summaryContain\" in cards[0]")
                .hasMessageContaining("summaryContains");
    }

    @Test
    void unknownTopLevelKeyOfExpectedJsonFails() throws IOException {
        Path expected = copy(HOOK_CASE).resolve("expected.json");
        edit(expected, "\"service\"", "\"servce\"");

        assertThatThrownBy(() -> CaseFiles.hookCases(checkout, null, null))
                .hasMessageContaining("expected.json").hasMessageContaining("unknown key \"servce\";");
    }

    @Test
    void indicatorThatNoCardCanHaveFails() throws IOException {
        Path expected = copy(HOOK_CASE).resolve("expected.json");
        edit(expected, "\"indicator\": \"info\"", "\"indicator\": \"hard-stop\"");

        assertThatThrownBy(() -> CaseFiles.hookCases(checkout, null, null))
                .hasMessageContaining("expected.json").hasMessageContaining("cards[0].indicator").hasMessageContaining("hard-stop");
    }

    @Test
    void misspeltValueKeyOfExpectedResultsFailsNamingTheFileAndTheKey() throws IOException {
        Path expected = copy(CQL_CASE).resolve(CqlCase.EXPECTED_RESULTS);
        edit(expected, "\"valueBoolean\"", "\"valueBool\"");

        assertThatThrownBy(() -> CaseFileSchema.expectedResults(expected, JSON.readTree(expected.toFile())))
                .isInstanceOf(CaseFileException.class)
                .hasMessageContaining(expected.toString()).hasMessageContaining("valueBool");
    }

    @Test
    void expectedResultsWithoutEvaluationDateFails() throws IOException {
        Path expected = copy(CQL_CASE).resolve(CqlCase.EXPECTED_RESULTS);
        edit(expected, CqlCase.EVALUATION_DATE_EXTENSION, "http://example.org/other");

        assertThatThrownBy(() -> CaseFileSchema.expectedResults(expected, JSON.readTree(expected.toFile())))
                .hasMessageContaining("expected-results.json").hasMessageContaining("evaluation-date");
    }

    @Test
    void everyShippedCaseFileFollowsTheSchema() throws IOException {
        try (Stream<Path> files = Files.walk(REPO.resolve("fhir-resources/hook-cases"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("expected.json")).toList()) {
                CaseFileSchema.hookExpectation(file, JSON.readTree(file.toFile()));
            }
        }
        try (Stream<Path> files = Files.walk(REPO.resolve("cql/tests"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals(CqlCase.EXPECTED_RESULTS)).toList()) {
                assertThat(CaseFileSchema.expectedResults(file, JSON.readTree(file.toFile()))).as(file.toString()).isNotNull();
            }
        }
    }
}
