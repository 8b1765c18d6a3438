package org.legcramp.cds.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One hook-level case of {@code fhir-resources/hook-cases/<rule>/<case>/}: the full request the EHR
 * sends, and in {@code expected.json} the service to call and the cards that must come back
 * (indicator, words of the summary, suggestion actions), or none, as of its {@code evaluationDate}.
 */
public record HookCase(String rule, String name, ObjectNode request, JsonNode expected) {

    private static final Pattern FHIR_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?");
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
            JsonNode expected = JSON.readTree(folder.resolve("expected.json").toFile());
            ObjectNode request = (ObjectNode) JSON.readTree(folder.resolve("request.json").toFile());
            long shift = ChronoUnit.DAYS.between(LocalDate.parse(expected.get("evaluationDate").asText()),
                    LocalDate.now(ZoneOffset.UTC));
            return new HookCase(folder.getParent().getFileName().toString(), folder.getFileName().toString(),
                    (ObjectNode) rolled(request, shift), expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The case's dates moved forward by the days since its evaluation date, so that "within 30
     * days" stays true of a fixture written long ago: the case is evaluated as of its own date.
     */
    private static JsonNode rolled(JsonNode node, long days) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.properties().forEach(field -> object.set(field.getKey(), rolled(field.getValue(), days)));
            return object;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, rolled(node.get(i), days));
            }
            return node;
        }
        if (node.isTextual() && FHIR_DATE.matcher(node.asText()).matches()) {
            String text = node.asText();
            String day = LocalDate.parse(text.substring(0, 10)).plusDays(days).toString();
            return TextNode.valueOf(day + text.substring(10));
        }
        return node;
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
