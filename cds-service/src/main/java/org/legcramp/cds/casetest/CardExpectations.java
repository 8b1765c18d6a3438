package org.legcramp.cds.casetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the cards of a response with a hook case's expectations (indicator, words of the
 * summary, suggestion action types) and says what differs, in words an informaticist can act on.
 */
public final class CardExpectations {

    private CardExpectations() {}

    /** @return the differences; empty when the cards are as expected */
    public static List<String> differences(JsonNode expectedCards, JsonNode actualCards) {
        List<String> differences = new ArrayList<>();
        if (expectedCards.size() != actualCards.size()) {
            differences.add("number of cards: expected " + expectedCards.size() + ", actual " + actualCards.size()
                    + summaries(actualCards));
        }
        for (JsonNode expected : expectedCards) {
            boolean found = false;
            for (JsonNode card : actualCards) {
                found |= matches(expected, card);
            }
            if (!found) {
                differences.add("card: expected " + expected + ", actual " + describe(actualCards));
            }
        }
        return differences;
    }

    private static boolean matches(JsonNode expected, JsonNode card) {
        if (expected.has("indicator") && !expected.get("indicator").asText().equals(card.path("indicator").asText())) {
            return false;
        }
        if (expected.has("summaryContains")
                && !card.path("summary").asText().toLowerCase().contains(expected.get("summaryContains").asText().toLowerCase())) {
            return false;
        }
        if (expected.has("suggestionActions")) {
            List<String> wanted = new ArrayList<>();
            expected.get("suggestionActions").forEach(a -> wanted.add(a.asText()));
            return wanted.equals(suggestionActionTypes(card));
        }
        return true;
    }

    private static List<String> suggestionActionTypes(JsonNode card) {
        List<String> types = new ArrayList<>();
        card.path("suggestions").forEach(s -> s.path("actions").forEach(a -> types.add(a.path("type").asText())));
        return types;
    }

    private static String summaries(JsonNode cards) {
        return cards.isEmpty() ? "" : " " + describe(cards);
    }

    private static String describe(JsonNode cards) {
        if (cards.isEmpty()) {
            return "no cards";
        }
        List<String> described = new ArrayList<>();
        cards.forEach(card -> described.add(card.path("indicator").asText() + " \"" + card.path("summary").asText()
                + "\" " + suggestionActionTypes(card)));
        return String.join(", ", described);
    }
}
