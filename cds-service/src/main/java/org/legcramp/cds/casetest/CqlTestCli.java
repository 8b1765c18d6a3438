package org.legcramp.cds.casetest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cql-test [library-or-rule] [case]}: runs the CQL and hook cases and prints a line per
 * case, the differences of each failure side by side with why the engine answered so, then
 * coverage; writes target/cql-test/report.md and coverage.lcov; exits 1 when a case fails.
 */
public final class CqlTestCli {

    private CqlTestCli() {}

    public static void main(String[] args) {
        quietLibraries();
        Path root = Path.of(System.getProperty("legcramp.root", "."));
        String filter = args.length > 0 ? args[0] : null;
        String caseName = args.length > 1 ? args[1] : null;
        List<CaseResult> results = new ArrayList<>();
        try (CaseRunner runner = new CaseRunner(root)) {
            List<CqlCase> cqlCases = runner.cqlCases(filter, caseName);
            List<HookCaseSpec> hookCases;
            try {
                hookCases = runner.hookCases(filter, caseName);
            } catch (CaseFileSchema.CaseFileException e) {
                System.out.println("FAIL " + e.getMessage());
                System.exit(1);
                return;
            }
            int total = cqlCases.size() + hookCases.size();
            if (total == 0) {
                System.out.println("No case matches " + (filter == null ? "" : filter) + (caseName == null ? "" : " " + caseName));
                System.exit(2);
            }
            System.out.println("Running " + cqlCases.size() + " CQL cases and " + hookCases.size() + " hook cases");
            for (CqlCase cqlCase : cqlCases) {
                results.add(report(runner.run(cqlCase), results.size() + 1, total));
            }
            for (HookCaseSpec hookCase : hookCases) {
                results.add(report(runner.run(hookCase), results.size() + 1, total));
            }
            Path reportFolder = root.resolve("target").resolve("cql-test");
            CaseReport.write(reportFolder, results, runner.coverage());
            long failed = results.stream().filter(r -> !r.passed()).count();
            System.out.println();
            for (Coverage.LibraryCoverage library : runner.coverage().summary()) {
                if (library.lineCoverage().equals(Coverage.NOT_EVALUATED)) {
                    continue;
                }
                System.out.println("coverage " + library.library() + ": " + library.lineCoverage()
                        + (library.uncheckedDefines().isEmpty() ? "" : "; not checked by a CQL case: " + library.uncheckedDefines()));
            }
            System.out.println();
            System.out.println((results.size() - failed) + " passed, " + failed + " failed. Report: "
                    + reportFolder.resolve("report.md") + ", coverage: " + reportFolder.resolve("coverage.lcov"));
            System.exit(failed == 0 ? 0 : 1);
        }
    }

    /** The engine and HAPI log at INFO and DEBUG; the report is the output here. */
    private static void quietLibraries() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static CaseResult report(CaseResult result, int index, int total) {
        CaseReport.printResult(System.out, result);
        if (index % 25 == 0 && index < total) {
            System.out.println("... " + index + "/" + total + " cases run");
        }
        return result;
    }
}
