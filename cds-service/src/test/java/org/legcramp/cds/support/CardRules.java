package org.legcramp.cds.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The CDS Hooks 2.0 card rules (https://cds-hooks.hl7.org/2.0/#card-attributes), checked on every
 * card a test receives: required fields present, enumerations respected, suggestions actionable,
 * and no field sent as null or empty.
 */
public final class CardRules {

    private static final Set<String> INDICATORS = Set.of("info", "warning", "critical");
    private static final Set<String> ACTION_TYPES = Set.of("create", "update", "delete");
    private static final Set<String> SELECTION_BEHAVIORS = Set.of("at-most-one", "any");

    private CardRules() {}

    public static void assertValidResponse(JsonNode response) {
        assertThat(response.has("cards")).as("response has a cards array").isTrue();
        assertThat(response.get("cards").isArray()).isTrue();
        response.get("cards").forEach(CardRules::assertValidCard);
    }

    public static void assertValidCard(JsonNode card) {
        assertNoNullOrEmpty(card, "card");
        assertUuid(card, "uuid");
        assertThat(text(card, "summary")).as("summary").isNotBlank().hasSizeLessThan(140);
        assertThat(text(card, "indicator")).as("indicator").isIn(INDICATORS);
        JsonNode source = card.get("source");
        assertThat(source).as("source").isNotNull();
        assertThat(text(source, "label")).as("source.label").isNotBlank();
        assertThat(text(source, "url")).as("source.url (the card cites its evidence)").startsWith("https://");
        if (card.has("detail")) {
            assertThat(card.get("detail").isTextual()).isTrue();
        }
        if (card.has("suggestions")) {
            assertThat(text(card, "selectionBehavior")).as("selectionBehavior with suggestions").isIn(SELECTION_BEHAVIORS);
            for (JsonNode suggestion : card.get("suggestions")) {
                assertThat(text(suggestion, "label")).isNotBlank();
                assertUuid(suggestion, "uuid");
                assertThat(suggestion.get("actions")).as("suggestion actions").isNotEmpty();
                for (JsonNode action : suggestion.get("actions")) {
                    String type = text(action, "type");
                    assertThat(type).isIn(ACTION_TYPES);
                    assertThat(text(action, "description")).isNotBlank();
                    if (type.equals("create")) {
                        assertThat(action.get("resource")).as("create carries a resource").isNotNull();
                        assertThat(text(action.get("resource"), "resourceType")).isNotBlank();
                    } else {
                        assertThat(text(action, "resourceId")).as(type + " names its resource").matches("[A-Za-z]+/[A-Za-z0-9\\-.]+");
                    }
                }
            }
        } else {
            assertThat(card.has("selectionBehavior")).as("selectionBehavior only with suggestions").isFalse();
        }
        if (card.has("overrideReasons")) {
            for (JsonNode reason : card.get("overrideReasons")) {
                assertThat(text(reason, "code")).isNotBlank();
                assertThat(text(reason, "system")).isNotBlank();
                assertThat(text(reason, "display")).isNotBlank();
            }
        }
        if (card.has("links")) {
            for (JsonNode link : card.get("links")) {
                assertThat(text(link, "label")).isNotBlank();
                assertThat(text(link, "url")).startsWith("http");
                assertThat(text(link, "type")).isIn("absolute", "smart");
            }
        }
    }

    private static void assertUuid(JsonNode node, String field) {
        String value = text(node, field);
        assertThat(UUID.fromString(value).toString()).as(field + " is a UUID").isEqualTo(value.toLowerCase());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        assertThat(value).as("required field " + field).isNotNull();
        return value.asText();
    }

    private static void assertNoNullOrEmpty(JsonNode node, String path) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                JsonNode value = field.getValue();
                String where = path + "." + field.getKey();
                assertThat(value.isNull()).as(where + " is null").isFalse();
                assertThat(value.isTextual() && value.asText().isEmpty()).as(where + " is empty").isFalse();
                assertThat(value.isContainerNode() && value.isEmpty()).as(where + " is empty").isFalse();
                assertNoNullOrEmpty(value, where);
            }
        } else if (node.isArray()) {
            int i = 0;
            for (JsonNode item : node) {
                assertNoNullOrEmpty(item, path + "[" + i++ + "]");
            }
        }
    }
}
