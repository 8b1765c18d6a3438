package org.legcramp.cds.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One hook-level case of {@code fhir-resources/hook-cases/<rule>/<case>/}: the full request the EHR
 * sends, and in {@code expected.json} the service to call and the cards that must come back
 * (indicator, words of the summary, suggestion actions), or none.
 */
public record HookCase(String rule, String name, ObjectNode request, JsonNode expected) {

    public static final Path ROOT = Path.of("..", "fhir-resources", "hook-cases");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static List<HookCase> all() {
        try (Stream<Path> folders = Files.list(ROOT)) {
            return folders.sorted().flatMap(HookCase::casesOf).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HookCase named(String rule, String name) {
        return load(ROOT.resolve(rule).resolve(name));
    }

    private static Stream<HookCase> casesOf(Path ruleFolder) {
        try {
            return Files.list(ruleFolder).filter(Files::isDirectory).sorted().map(HookCase::load).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HookCase load(Path folder) {
        try {
            return new HookCase(folder.getParent().getFileName().toString(), folder.getFileName().toString(),
                    (ObjectNode) JSON.readTree(folder.resolve("request.json").toFile()),
                    JSON.readTree(folder.resolve("expected.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String service() {
        return expected.get("service").asText();
    }

    public boolean fires() {
        return !expected.get("cards").isEmpty();
    }

    public String displayName() {
        return rule + "/" + name;
    }
}
