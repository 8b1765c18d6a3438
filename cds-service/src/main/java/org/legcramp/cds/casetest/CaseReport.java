package org.legcramp.cds.casetest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes case results for people: a line per case on the console, and a Markdown report file. */
public final class CaseReport {

    private CaseReport() {}

    public static void printResult(PrintStream out, CaseResult result) {
        out.println((result.passed() ? "PASS " : "FAIL ") + result.kind() + "  " + result.displayName());
        for (String difference : result.differences()) {
            out.println("       " + difference);
        }
        if (!result.passed()) {
            for (String line : result.explanation()) {
                out.println("       why: " + line);
            }
        }
    }

    /** A failed or unchecked catalogue check, as the console shows it; a passed one is not shown. */
    public static void printCheck(PrintStream out, CatalogueChecks.Check check) {
        if (check.notCheckedBecause() != null) {
            out.println("SKIP catalogue  " + check.name() + " (not checked: " + check.notCheckedBecause() + ")");
        } else if (!check.passed()) {
            out.println("FAIL catalogue  " + check.name());
            check.failures().forEach(failure -> out.println("       " + failure));
        }
    }

    public static String markdown(List<CaseResult> results, Coverage coverage) {
        return markdown(results, List.of(), coverage);
    }

    public static String markdown(List<CaseResult> results, List<CatalogueChecks.Check> checks, Coverage coverage) {
        long failed = results.stream().filter(r -> !r.passed()).count();
        StringBuilder md = new StringBuilder("# CQL and hook case report\n\n");
        md.append(results.size() - failed).append(" passed, ").append(failed).append(" failed.\n\n");
        if (!checks.isEmpty()) {
            md.append("## Catalogue checks\n\n| result | check | what is missing or disagrees |\n|---|---|---|\n");
            for (CatalogueChecks.Check check : checks) {
                String result = check.notCheckedBecause() != null ? "not checked" : check.passed() ? "PASS" : "**FAIL**";
                String detail = check.notCheckedBecause() != null ? check.notCheckedBecause() : String.join("<br>", check.failures());
                md.append("| ").append(result).append(" | ").append(check.name()).append(" | ")
                        .append(detail.replace("|", "\\|")).append(" |\n");
            }
            md.append("\n## Cases\n\n");
        }
        md.append("| result | kind | case | expected vs actual |\n|---|---|---|---|\n");
        for (CaseResult result : results) {
            md.append("| ").append(result.passed() ? "PASS" : "**FAIL**").append(" | ").append(result.kind())
                    .append(" | ").append(result.displayName()).append(" | ")
                    .append(String.join("<br>", result.differences()).replace("|", "\\|")).append(" |\n");
        }
        if (failed > 0) {
            md.append("\n## Why the failures answered as they did\n");
            for (CaseResult result : results) {
                if (!result.passed() && !result.explanation().isEmpty()) {
                    md.append("\n### ").append(result.kind()).append(" ").append(result.displayName()).append("\n\n```\n")
                            .append(String.join("\n", result.explanation())).append("\n```\n");
                }
            }
        }
        md.append("\n## Coverage\n\n")
                .append("Defines no CQL case checks, boolean defines not seen both true and false (over all cases), ")
                .append("and the engine's line coverage (merged LCOV in `coverage.lcov`).\n\n")
                .append("| library | defines | not checked by a CQL case | boolean seen one way only | lines |\n|---|---|---|---|---|\n");
        for (Coverage.LibraryCoverage library : coverage.summary()) {
            md.append("| ").append(library.library()).append(" | ").append(library.defines()).append(" | ")
                    .append(String.join(", ", library.uncheckedDefines())).append(" | ")
                    .append(String.join(", ", library.booleansNotSeenBothWays())).append(" | ")
                    .append(library.lineCoverage()).append(" |\n");
        }
        md.append("\n## Which cases decide which way\n\n")
                .append("Per library, each boolean define with the cases that saw it true and those that saw it false.\n");
        for (Coverage.LibraryCoverage library : coverage.summary()) {
            var byDefine = coverage.casesByBooleanDefine(library.library());
            if (byDefine.isEmpty()) {
                continue;
            }
            md.append("\n### ").append(library.library()).append("\n\n| define | true in | false in |\n|---|---|---|\n");
            byDefine.forEach((define, cases) -> md.append("| ").append(define).append(" | ")
                    .append(caseList(cases.get(Boolean.TRUE))).append(" | ").append(caseList(cases.get(Boolean.FALSE))).append(" |\n"));
        }
        return md.toString();
    }

    private static String caseList(List<String> cases) {
        if (cases == null || cases.isEmpty()) {
            return "**none**";
        }
        List<String> distinct = cases.stream().distinct().toList();
        return distinct.size() + ": " + String.join("<br>", distinct).replace("|", "\\|");
    }

    public static void write(Path folder, List<CaseResult> results, Coverage coverage) {
        write(folder, results, List.of(), coverage);
    }

    public static void write(Path folder, List<CaseResult> results, List<CatalogueChecks.Check> checks, Coverage coverage) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("report.md"), markdown(results, checks, coverage));
            Files.writeString(folder.resolve("coverage.lcov"), coverage.lcovInfo());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the report to " + folder, e);
        }
    }

    /** The report of a run that could not start (content that does not load), so no earlier report is left standing. */
    public static void writeNotRun(Path folder, String problem) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("report.md"), "# CQL and hook case report\n\nNo case ran: " + problem + "\n");
            Files.deleteIfExists(folder.resolve("coverage.lcov"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the report to " + folder, e);
        }
    }
}
