package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * Rolls a case's dates forward by the days between its stated evaluation date and today, so that a
 * case written long ago ("a cramp 3 days before the evaluation date") means the same thing today.
 */
public final class CaseDates {

    private static final Pattern FHIR_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?");

    private CaseDates() {}

    public static long daysSince(LocalDate evaluationDate) {
        return ChronoUnit.DAYS.between(evaluationDate, LocalDate.now(ZoneOffset.UTC));
    }

    /** Every FHIR date or dateTime string in the JSON tree, moved by {@code days}; changed in place. */
    public static JsonNode roll(JsonNode node, long days) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(field -> object.set(field.getKey(), roll(field.getValue(), days)));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, roll(array.get(i), days));
            }
        } else if (node.isTextual() && FHIR_DATE.matcher(node.asText()).matches()) {
            String text = node.asText();
            return TextNode.valueOf(LocalDate.parse(text.substring(0, 10)).plusDays(days) + text.substring(10));
        }
        return node;
    }
}
