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
    /** SF → (DA line or BRDA line,block,branch) → hits. */
    private final Map<String, Map<String, Long>> lcov = new TreeMap<>();

    Coverage(CqlLibraries cql, Collection<String> libraries) {
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

    void record(Evaluation evaluation, boolean fromCqlCase) {
        Map<String, TreeSet<Boolean>> booleans = booleansByLibrary.get(evaluation.libraryName());
        evaluation.values().forEach((define, value) -> {
            if (value instanceof Boolean seen && booleans != null && booleans.containsKey(define)) {
                booleans.get(define).add(seen);
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
                file = line.substring(3);
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
        Map<String, Long> entries = lcov.entrySet().stream().filter(e -> e.getKey().contains(library))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (entries == null) {
            return NOT_EVALUATED;
        }
        long found = entries.keySet().stream().filter(k -> k.startsWith("DA:")).count();
        long hit = entries.entrySet().stream().filter(e -> e.getKey().startsWith("DA:") && e.getValue() > 0).count();
        return found == 0 ? "no lines" : hit + "/" + found + " lines (" + (100 * hit / found) + "%)";
    }
}
