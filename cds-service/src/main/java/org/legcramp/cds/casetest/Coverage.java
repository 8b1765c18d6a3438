package org.legcramp.cds.casetest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.cql.CqlLibraries;

/**
 * What the cases exercise, per content library: which defines a CQL case checks, which boolean
 * defines were seen both true and false (over every evaluation, CQL and hook cases alike), and the
 * engine's own line and branch coverage, merged across evaluations into one LCOV report.
 */
public final class Coverage {

    static final String NOT_EVALUATED = "not evaluated";

    private final Map<String, Map<String, Integer>> checksByLibrary = new TreeMap<>();
    private final Map<String, Map<String, TreeSet<Boolean>>> booleansByLibrary = new TreeMap<>();
    /** library → boolean define → value → the cases (kind and name) that saw it. */
    private final Map<String, Map<String, Map<Boolean, List<String>>>> casesByLibrary = new TreeMap<>();
    /** library name → the path LCOV names for it: the library's own .cql file. */
    private final Map<String, String> sourceFiles;
    /** SF → (DA line or BRDA line,block,branch) → hits. */
    private final Map<String, Map<String, Long>> lcov = new TreeMap<>();

    /**
     * @param sourceFiles each content library's .cql file, as LCOV is to name it (the engine names
     *     {@code Library-version.cql}, a file that does not exist, so genhtml could not render it)
     */
    Coverage(CqlLibraries cql, Collection<String> libraries, Map<String, String> sourceFiles) {
        this.sourceFiles = Map.copyOf(sourceFiles);
        for (String library : libraries) {
            Map<String, Integer> checks = new LinkedHashMap<>();
            Map<String, TreeSet<Boolean>> booleans = new LinkedHashMap<>();
            cql.defineNames(library).forEach(define -> {
                checks.put(define, 0);
                booleans.put(define, new TreeSet<>());
            });
            checksByLibrary.put(library, checks);
            booleansByLibrary.put(library, booleans);
        }
    }

    void checked(String library, String define) {
        checksByLibrary.computeIfAbsent(library, l -> new LinkedHashMap<>()).merge(define, 1, Integer::sum);
    }

    /** @param caseName the case that made the evaluation, e.g. {@code hook quinine-for-cramps/fires-...} */
    void record(Evaluation evaluation, String caseName) {
        Map<String, TreeSet<Boolean>> booleans = booleansByLibrary.get(evaluation.libraryName());
        evaluation.values().forEach((define, value) -> {
            if (value instanceof Boolean seen && booleans != null && booleans.containsKey(define)) {
                booleans.get(define).add(seen);
                casesByLibrary.computeIfAbsent(evaluation.libraryName(), l -> new TreeMap<>())
                        .computeIfAbsent(define, d -> new TreeMap<>())
                        .computeIfAbsent(seen, b -> new ArrayList<>()).add(caseName);
            }
        });
        if (evaluation.lcov() != null) {
            mergeLcov(evaluation.lcov());
        }
    }

    private void mergeLcov(String info) {
        String file = null;
        for (String line : info.split("\\R")) {
            if (line.startsWith("SF:")) {
                file = sourceFile(line.substring(3));
                lcov.computeIfAbsent(file, f -> new TreeMap<>());
            } else if (file != null && (line.startsWith("DA:") || line.startsWith("BRDA:"))) {
                int lastComma = line.lastIndexOf(',');
                String key = line.substring(0, lastComma);
                String count = line.substring(lastComma + 1);
                long hits = count.equals("-") ? 0 : Long.parseLong(count);
                lcov.get(file).merge(key, hits, Long::sum);
            }
        }
    }

    /** {@code LegCrampCommon-1.0.0.cql} (the engine's name) → the library's file. */
    private String sourceFile(String engineName) {
        String library = engineName.replaceFirst("\\.cql$", "").replaceFirst("-[^-]*$", "");
        return sourceFiles.getOrDefault(library, sourceFiles.getOrDefault(engineName.replaceFirst("\\.cql$", ""), engineName));
    }

    /**
     * For each boolean define of a library, the cases that saw it true and those that saw it false:
     * which cases exercise which branch of the rule (a library whose cases are all silent shows
     * every deciding define seen false only).
     */
    public Map<String, Map<Boolean, List<String>>> casesByBooleanDefine(String library) {
        return casesByLibrary.getOrDefault(library, Map.of());
    }

    /** The merged coverage in LCOV format (for IDEs and genhtml). */
    public String lcovInfo() {
        StringBuilder out = new StringBuilder();
        lcov.forEach((file, entries) -> {
            out.append("TN:\nSF:").append(file).append('\n');
            long linesFound = 0;
            long linesHit = 0;
            long branchesFound = 0;
            long branchesHit = 0;
            for (Map.Entry<String, Long> entry : entries.entrySet()) {
                out.append(entry.getKey()).append(',').append(entry.getValue()).append('\n');
                if (entry.getKey().startsWith("DA:")) {
                    linesFound++;
                    linesHit += entry.getValue() > 0 ? 1 : 0;
                } else {
                    branchesFound++;
                    branchesHit += entry.getValue() > 0 ? 1 : 0;
                }
            }
            out.append("LF:").append(linesFound).append("\nLH:").append(linesHit).append('\n');
            out.append("BRF:").append(branchesFound).append("\nBRH:").append(branchesHit).append('\n');
            out.append("end_of_record\n");
        });
        return out.toString();
    }

    /** One library's summary, for the report. */
    public record LibraryCoverage(String library, int defines, List<String> uncheckedDefines,
            List<String> booleansNotSeenBothWays, String lineCoverage) {}

    public List<LibraryCoverage> summary() {
        List<LibraryCoverage> libraries = new ArrayList<>();
        checksByLibrary.forEach((library, checks) -> {
            List<String> unchecked = checks.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
            List<String> oneSided = new ArrayList<>();
            booleansByLibrary.getOrDefault(library, Map.of()).forEach((define, seen) -> {
                if (seen.size() == 1) {
                    oneSided.add(define + " (only " + seen.first() + ")");
                }
            });
            libraries.add(new LibraryCoverage(library, checks.size(), unchecked, oneSided, lineCoverage(library)));
        });
        return libraries;
    }

    private String lineCoverage(String library) {
        Map<String, Long> entries = lcov.get(sourceFiles.getOrDefault(library, library));
        if (entries == null) {
            return NOT_EVALUATED;
        }
        long found = entries.keySet().stream().filter(k -> k.startsWith("DA:")).count();
        long hit = entries.entrySet().stream().filter(e -> e.getKey().startsWith("DA:") && e.getValue() > 0).count();
        return found == 0 ? "no lines" : hit + "/" + found + " lines (" + (100 * hit / found) + "%)";
    }
}
