package org.legcramp.cds.casetest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * What an informaticist sees from ./cql-test when the content is broken: a library that does not
 * translate fails only the cases that use it, each naming file, line and column, while the other
 * cases run; the catalogue is checked too; the report is never one of an earlier run. Each test
 * breaks a copy of the shipped content, translated for real.
 */
class BrokenContentTest {

    private static final Path REPO = Path.of("..");
    /** Line 40 of QuinineForCramps.cql is {@code and not exists ( Reasons R where R in "Malaria" )}. */
    private static final String UNCLOSED_IN_QUININE = "cql/QuinineForCramps.cql:40:22: '(' is not closed";

    @TempDir
    Path checkout;

    private void copyCheckout() throws IOException {
        FileSystemUtils.copyRecursively(REPO.resolve("cql"), checkout.resolve("cql"));
        FileSystemUtils.copyRecursively(REPO.resolve("fhir-resources"), checkout.resolve("fhir-resources"));
        FileSystemUtils.copyRecursively(REPO.resolve("docs/rules"), checkout.resolve("docs/rules"));
    }

    private void edit(String file, UnaryOperator<String> change) throws IOException {
        Path path = checkout.resolve(file);
        String before = Files.readString(path);
        String after = change.apply(before);
        assertThat(after).as("the edit of " + file + " changes it").isNotEqualTo(before);
        Files.writeString(path, after);
    }

    private void deleteClosingParenthesisInQuinineForCramps() throws IOException {
        edit("cql/QuinineForCramps.cql", cql -> cql.replace("R in \"Malaria\" )", "R in \"Malaria\""));
    }

    /** ./cql-test's run, in process: its exit code and what it printed. */
    private record Run(int exitCode, String output) {

        List<String> lines() {
            return output.lines().toList();
        }
    }

    private Run cqlTest(String filter) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exitCode = CqlTestCli.run(checkout, filter, null, new PrintStream(printed, true, StandardCharsets.UTF_8));
        return new Run(exitCode, printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void brokenLibraryFailsOnlyItsOwnCasesWithFileLineAndColumn() throws IOException {
        copyCheckout();
        deleteClosingParenthesisInQuinineForCramps();

        try (CaseRunner runner = new CaseRunner(checkout)) {
            List<CaseResult> quinine = runCases(runner, "quinine-for-cramps");
            List<CaseResult> others = runCases(runner, "new-diuretic");

            assertThat(quinine).isNotEmpty().allSatisfy(result -> {
                assertThat(result.passed()).as(result.displayName()).isFalse();
                assertThat(result.differences()).singleElement().asString().startsWith(UNCLOSED_IN_QUININE);
            });
            assertThat(others).isNotEmpty().allSatisfy(result -> assertThat(result.passed()).as(result.displayName()).isTrue());
            assertThat(runner.untranslatedLibraries()).containsOnlyKeys("QuinineForCramps");
        }
    }

    /** The CQL and hook cases of one rule. */
    private static List<CaseResult> runCases(CaseRunner runner, String rule) {
        List<CaseResult> results = new ArrayList<>(runner.cqlCases(rule, null).stream().map(runner::run).toList());
        results.addAll(runner.hookCases(rule, null).stream().map(runner::run).toList());
        return results;
    }

    @Test
    void brokenSharedLibraryFailsEveryRuleThatIncludesItNamingTheSharedFile() throws IOException {
        copyCheckout();
        edit("cql/LegCrampCommon.cql", cql -> cql.replace("'relapse' } )", "'relapse' }"));

        try (CaseRunner runner = new CaseRunner(checkout)) {
            CaseResult result = runner.run(runner.hookCases("new-diuretic", null).get(0));

            assertThat(result.differences()).singleElement().asString().matches("cql/LegCrampCommon\\.cql:\\d+:\\d+: '\\(' is not closed.*");
            assertThat(runner.untranslatedLibraries()).containsKeys("LegCrampCommon", "NewDiuretic", "QuinineForCramps");
        }
    }

    @Test
    void cqlTestWithABrokenLibraryRunsTheOtherCasesAndExitsOneWithoutNoise() throws IOException {
        copyCheckout();
        deleteClosingParenthesisInQuinineForCramps();

        Run run = cqlTest("new-diuretic");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.lines()).contains("FAIL translate  QuinineForCramps: " + UNCLOSED_IN_QUININE
                + " (the translator noticed at 43:1: Syntax error at define)");
        assertThat(run.lines()).filteredOn(line -> line.startsWith("PASS hook  new-diuretic/")).isNotEmpty();
        assertThat(run.lines()).noneMatch(line -> line.startsWith("FAIL hook") || line.startsWith("FAIL cql"));
        assertThat(run.output()).doesNotContain("[ERROR]").doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ");
    }

    @Test
    void reportIsWrittenAnewEvenWhenTheContentCannotBeRead() throws IOException {
        copyCheckout();
        Path report = checkout.resolve("target/cql-test/report.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, "142 passed, 0 failed (an earlier run)");
        Files.move(checkout.resolve("cql/NewDiuretic.cql"), checkout.resolve("cql/Misnamed.cql"));

        Run run = cqlTest(null);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).singleElement().asString().startsWith("FAIL cql/Misnamed.cql: declares library NewDiuretic");
        assertThat(Files.readString(report)).doesNotContain("an earlier run").contains("No case ran").contains("cql/Misnamed.cql");
    }

    @Test
    void cqlTestFailsARuleWithoutADocsPageOrASilentCase() throws IOException {
        copyCheckout();
        Files.delete(checkout.resolve("docs/rules/prescribing-cascade.md"));
        try (var cases = Files.list(checkout.resolve("fhir-resources/hook-cases/prescribing-cascade"))) {
            for (Path silent : cases.filter(c -> c.getFileName().toString().startsWith("silent-")).toList()) {
                FileSystemUtils.deleteRecursively(silent);
            }
        }

        Run run = cqlTest("prescribing-cascade");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.lines()).contains("FAIL catalogue  every rule has a docs page",
                "       rule prescribing-cascade has no docs page docs/rules/prescribing-cascade.md",
                "FAIL catalogue  every rule has a fires- and a silent- hook case, and no other",
                "       rule prescribing-cascade has no case that must stay silent (fhir-resources/hook-cases/prescribing-cascade/silent-...)");
        assertThat(run.lines()).noneMatch(line -> line.startsWith("FAIL hook") || line.startsWith("FAIL cql"));
        assertThat(Files.readString(checkout.resolve("target/cql-test/report.md")))
                .contains("| **FAIL** | every rule has a docs page | rule prescribing-cascade has no docs page");
    }
}
