package org.legcramp.cds.casetest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/** The runner itself: a wrong expectation fails and names the define or card; a report is written. */
class CaseRunnerTest {

    private static final Path REPO = Path.of("..");

    @TempDir
    Path checkout;

    private void copyContentWithCases() throws IOException {
        FileSystemUtils.copyRecursively(REPO.resolve("cql"), checkout.resolve("cql"));
        FileSystemUtils.copyRecursively(REPO.resolve("fhir-resources"), checkout.resolve("fhir-resources"));
    }

    @Test
    void wrongExpectedDefineValueFailsAndNamesTheDefine() throws IOException {
        copyContentWithCases();
        Path expected = checkout.resolve("cql/tests/QuinineForCramps/fires-quinine-ingredient-for-sleep-cramps/expected-results.json");
        Files.writeString(expected, Files.readString(expected).replace(
                "\"name\": \"Quinine Ordered For Cramps\",\n      \"valueBoolean\": true",
                "\"name\": \"Quinine Ordered For Cramps\",\n      \"valueBoolean\": false"));

        try (CaseRunner runner = new CaseRunner(checkout)) {
            CaseResult result = runner.run(runner.cqlCases("QuinineForCramps", "fires-quinine-ingredient").get(0));

            assertThat(result.passed()).isFalse();
            assertThat(result.differences()).containsExactly(
                    "define \"Quinine Ordered For Cramps\": expected false, actual true");
            assertThat(result.explanation()).anyMatch(line -> line.contains("MedicationRequest/draft-quinine"));
        }
    }

    @Test
    void wrongExpectedCardFailsAndSaysWhichCardCame() throws IOException {
        copyContentWithCases();
        Path expected = checkout.resolve("fhir-resources/hook-cases/new-diuretic/fires-info-for-new-furosemide/expected.json");
        Files.writeString(expected, Files.readString(expected).replace("\"indicator\": \"info\"", "\"indicator\": \"warning\""));

        try (CaseRunner runner = new CaseRunner(checkout)) {
            CaseResult result = runner.run(runner.hookCases("new-diuretic", "fires-info-for-new-furosemide").get(0));

            assertThat(result.passed()).isFalse();
            assertThat(String.join("\n", result.differences())).contains("\"warning\"").contains("info \"Check electrolytes if cramps appear");
            assertThat(result.explanation()).anyMatch(line -> line.startsWith("fired: ") && line.contains("\"New Loop Diuretic\" is true"));
        }
    }

    @Test
    void silentRuleExplainsWhichConditionWasFalseWithParameterValuesAndDates() throws IOException {
        copyContentWithCases();
        Path expected = checkout.resolve("fhir-resources/hook-cases/cramps-with-dvt-signs/silent-swelling-months-ago/expected.json");
        Files.writeString(expected, Files.readString(expected).replace("\"cards\": []",
                "\"cards\": [{\"indicator\": \"warning\", \"summaryContains\": \"DVT\"}]"));

        try (CaseRunner runner = new CaseRunner(checkout)) {
            CaseResult result = runner.run(runner.hookCases("cramps-with-dvt-signs", "silent-swelling-months-ago").get(0));
            CaseReport.write(checkout.resolve("report"), List.of(result), runner.coverage());

            assertThat(result.passed()).isFalse();
            assertThat(result.explanation().get(0)).startsWith("CrampsWithDvtSigns evaluated at ")
                    .endsWith("with Recent Window = 30 days (default)");
            assertThat(result.explanation()).anyMatch(line -> line.startsWith("did not fire: ")
                    && line.contains("\"Cramps With Signs Of DVT\" is false"));
            assertThat(result.explanation()).contains("  because ( exists \"Recent DVT Sign Conditions\" or exists"
                    + " \"Recent DVT Sign Observations\" ) is false");
            assertThat(result.explanation()).anyMatch(line -> line.contains("read Condition/") && line.contains("(onset 20"));
            assertThat(result.explanation()).doesNotHaveDuplicates();
            assertThat(Files.readString(checkout.resolve("report/report.md"))).contains("## Why the failures answered as they did")
                    .contains("Recent Window = 30 days (default)");
        }
    }

    @Test
    void cqlCaseWithAnUnknownKeyFailsAloneNamingFileAndKey() throws IOException {
        copyContentWithCases();
        Path expected = checkout.resolve("cql/tests/QuinineForCramps/fires-quinine-ingredient-for-sleep-cramps/expected-results.json");
        Files.writeString(expected, Files.readString(expected).replaceFirst("\"valueBoolean\"", "\"valueBolean\""));

        try (CaseRunner runner = new CaseRunner(checkout)) {
            CaseResult result = runner.run(runner.cqlCases("QuinineForCramps", "fires-quinine-ingredient").get(0));

            assertThat(result.passed()).isFalse();
            assertThat(result.differences()).singleElement().asString()
                    .contains("expected-results.json").contains("valueBolean");
        }
    }

    @Test
    void filterByRuleRunsThatRulesCqlAndHookCases() {
        try (CaseRunner runner = new CaseRunner(REPO)) {
            assertThat(runner.cqlCases("prescribing-cascade", null)).isNotEmpty()
                    .allMatch(c -> c.library().equals("PrescribingCascade"));
            assertThat(runner.hookCases("PrescribingCascade", null)).isNotEmpty()
                    .allMatch(c -> c.rule().equals("prescribing-cascade"));
        }
    }

    @Test
    void reportListsEveryCaseAndCoverage() throws IOException {
        try (CaseRunner runner = new CaseRunner(REPO)) {
            List<CaseResult> results = runner.cqlCases("LegCrampCommon", null).stream().map(runner::run).toList();
            CaseReport.write(checkout, results, runner.coverage());
        }
        String report = Files.readString(checkout.resolve("report.md"));
        assertThat(report).contains("| PASS | cql | LegCrampCommon/").contains("## Coverage").contains("| LegCrampCommon |");
        assertThat(Files.readString(checkout.resolve("coverage.lcov"))).contains("SF:").contains("DA:");
    }

    @Test
    void lcovNamesSourceFilesThatExistAndTheReportSaysWhichCasesDecideWhichWay() throws IOException {
        try (CaseRunner runner = new CaseRunner(REPO)) {
            List<CaseResult> results = new java.util.ArrayList<>(runner.cqlCases("QuinineForCramps", null).stream().map(runner::run).toList());
            runner.hookCases("quinine-for-cramps", "silent-quinine-with-malaria-resolved").forEach(c -> results.add(runner.run(c)));
            CaseReport.write(checkout, results, runner.coverage());
        }
        List<String> sourceFiles = Files.readAllLines(checkout.resolve("coverage.lcov")).stream()
                .filter(line -> line.startsWith("SF:")).map(line -> line.substring(3)).toList();
        assertThat(sourceFiles).isNotEmpty().allSatisfy(file -> assertThat(Path.of(file)).isRegularFile())
                .anySatisfy(file -> assertThat(file).endsWith("cql/QuinineForCramps.cql"));
        String report = Files.readString(checkout.resolve("report.md"));
        assertThat(report).contains("## Which cases decide which way").contains("### QuinineForCramps")
                .containsPattern("\\| Quinine Ordered For Cramps \\| \\d+: cql QuinineForCramps/fires-[^|]*\\| \\d+: [^|]*"
                        + "hook quinine-for-cramps/silent-quinine-with-malaria-resolved");
        Path genhtml = Path.of("/usr/bin/genhtml");
        if (Files.isExecutable(genhtml)) { // .ci/run installs lcov; a workstation may not have it
            Process run = new ProcessBuilder(genhtml.toString(), "--branch-coverage", "-q", "-o",
                    checkout.resolve("html").toString(), checkout.resolve("coverage.lcov").toString())
                    .redirectErrorStream(true).start();
            String output = new String(run.getInputStream().readAllBytes());
            assertThat(waitFor(run)).as(output).isZero();
            assertThat(checkout.resolve("html/index.html")).isRegularFile();
        }
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
