package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the cases of a checkout: CQL cases in {@code cql/tests/<Library>/<case>/} and hook cases
 * in {@code fhir-resources/hook-cases/<rule>/<case>/}, optionally filtered by library or rule id
 * (either names both kinds) and by a part of the case name.
 */
public final class CaseFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaseFiles() {}

    /** CQL cases, optionally only those of one library (or the library of one rule) and one case name. */
    public static List<CqlCase> cqlCases(Path root, String libraryOrRule, String caseName) {
        Path tests = root.resolve("cql").resolve("tests");
        List<CqlCase> cases = new ArrayList<>();
        for (Path library : folders(tests)) {
            String name = library.getFileName().toString();
            if (libraryOrRule == null || name.equals(libraryOrRule) || name.equals(libraryNameOfRule(libraryOrRule))) {
                for (Path folder : folders(library)) {
                    if (caseName == null || folder.getFileName().toString().contains(caseName)) {
                        cases.add(new CqlCase(name, folder.getFileName().toString(), folder));
                    }
                }
            }
        }
        return cases;
    }

    /** Hook cases, optionally only those of one rule (or of the rule of one library) and one case name. */
    public static List<HookCaseSpec> hookCases(Path root, String libraryOrRule, String caseName) {
        Path cases = root.resolve("fhir-resources").resolve("hook-cases");
        List<HookCaseSpec> found = new ArrayList<>();
        for (Path rule : folders(cases)) {
            String name = rule.getFileName().toString();
            if (libraryOrRule == null || name.equals(libraryOrRule) || libraryNameOfRule(name).equals(libraryOrRule)) {
                for (Path folder : folders(rule)) {
                    if (caseName == null || folder.getFileName().toString().contains(caseName)) {
                        found.add(loadHookCase(name, folder));
                    }
                }
            }
        }
        return found;
    }

    public static String libraryNameOfRule(String ruleId) {
        StringBuilder name = new StringBuilder();
        for (String word : ruleId.split("-")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return name.toString();
    }

    private static HookCaseSpec loadHookCase(String rule, Path folder) {
        Path expectedFile = folder.resolve("expected.json");
        JsonNode expected = readJson(expectedFile);
        LocalDate evaluationDate = LocalDate.parse(CaseFileSchema.hookExpectation(expectedFile, expected).evaluationDate());
        ObjectNode request = (ObjectNode) readJson(folder.resolve("request.json"));
        long days = CaseDates.daysSince(evaluationDate);
        return new HookCaseSpec(rule, folder.getFileName().toString(), (ObjectNode) CaseDates.roll(request, days), expected);
    }

    private static List<Path> folders(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
