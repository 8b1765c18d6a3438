package org.legcramp.cds.casetest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.legcramp.cds.content.ContentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cql-test [library-or-rule] [case]}: runs the CQL and hook cases and the catalogue checks
 * and prints a line per case, the differences of each failure side by side with why the engine
 * answered so, then coverage; writes target/cql-test/report.md and coverage.lcov, every run anew;
 * exits 1 when a library does not translate, a case fails or a catalogue check fails.
 */
public final class CqlTestCli {

    static final int PASSED = 0;
    static final int FAILED = 1;
    static final int NO_CASE = 2;

    private CqlTestCli() {}

    public static void main(String[] args) {
        quietLibraries();
        Path root = Path.of(System.getProperty("legcramp.root", "."));
        System.exit(run(root, args.length > 0 ? args[0] : null, args.length > 1 ? args[1] : null, System.out));
    }

    /** Runs the cases of {@code root} that match; returns the exit code. */
    static int run(Path root, String filter, String caseName, PrintStream out) {
        Path reportFolder = root.resolve("target").resolve("cql-test");
        try (CaseRunner runner = new CaseRunner(root)) {
            List<CqlCase> cqlCases = runner.cqlCases(filter, caseName);
            List<HookCaseSpec> hookCases = runner.hookCases(filter, caseName);
            int total = cqlCases.size() + hookCases.size();
            if (total == 0) {
                String problem = "no case matches " + (filter == null ? "" : filter) + (caseName == null ? "" : " " + caseName);
                out.println(problem);
                CaseReport.writeNotRun(reportFolder, problem);
                return NO_CASE;
            }
            for (var library : runner.untranslatedLibraries().entrySet()) {
                out.println("FAIL translate  " + library.getKey() + ": " + library.getValue().getMessage());
            }
            out.println("Running " + cqlCases.size() + " CQL cases and " + hookCases.size() + " hook cases");
            List<CaseResult> results = new ArrayList<>();
            for (CqlCase cqlCase : cqlCases) {
                results.add(report(out, runner.run(cqlCase), results.size() + 1, total));
            }
            for (HookCaseSpec hookCase : hookCases) {
                results.add(report(out, runner.run(hookCase), results.size() + 1, total));
            }
            List<CatalogueChecks.Check> checks = runner.catalogueChecks(reportFolder.resolve("rules-README.md")).all();
            checks.forEach(check -> CaseReport.printCheck(out, check));
            CaseReport.write(reportFolder, results, checks, runner.coverage());

            out.println();
            for (Coverage.LibraryCoverage library : runner.coverage().summary()) {
                if (library.lineCoverage().equals(Coverage.NOT_EVALUATED)) {
                    continue;
                }
                out.println("coverage " + library.library() + ": " + library.lineCoverage()
                        + (library.uncheckedDefines().isEmpty() ? "" : "; not checked by a CQL case: " + library.uncheckedDefines()));
            }
            long failed = results.stream().filter(r -> !r.passed()).count();
            long failedChecks = checks.stream().filter(c -> !c.passed()).count();
            long uncheckedChecks = checks.stream().filter(c -> c.notCheckedBecause() != null).count();
            out.println();
            out.println((results.size() - failed) + " passed, " + failed + " failed; catalogue: "
                    + (checks.size() - failedChecks - uncheckedChecks) + " of " + checks.size() + " checks passed"
                    + (uncheckedChecks == 0 ? "" : ", " + uncheckedChecks + " not checked")
                    + (runner.untranslatedLibraries().isEmpty() ? "" : "; libraries that do not translate: "
                            + String.join(", ", runner.untranslatedLibraries().keySet()))
                    + ". Report: " + reportFolder.resolve("report.md") + ", coverage: " + reportFolder.resolve("coverage.lcov"));
            boolean allPassed = failed == 0 && failedChecks == 0 && runner.untranslatedLibraries().isEmpty();
            return allPassed ? PASSED : FAILED;
        } catch (ContentException | CaseFileSchema.CaseFileException e) {
            // Content that cannot be read at all (not a library that does not translate: that fails its own cases).
            out.println("FAIL " + e.getMessage());
            CaseReport.writeNotRun(reportFolder, e.getMessage());
            return FAILED;
        }
    }

    /** The engine and HAPI log at INFO and DEBUG; the report is the output here. */
    private static void quietLibraries() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static CaseResult report(PrintStream out, CaseResult result, int index, int total) {
        CaseReport.printResult(out, result);
        if (index % 25 == 0 && index < total) {
            out.println("... " + index + "/" + total + " cases run");
        }
        return result;
    }
}
