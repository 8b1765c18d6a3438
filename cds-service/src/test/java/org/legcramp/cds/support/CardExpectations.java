package org.legcramp.cds.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Compares the cards of a response with a case's expectations, naming what differs. */
public final class CardExpectations {

    private CardExpectations() {}

    public static void assertCardsMatch(JsonNode expectedCards, JsonNode response, String caseName) {
        JsonNode cards = response.get("cards");
        assertThat(cards.size()).as(caseName + ": number of cards in " + response).isEqualTo(expectedCards.size());
        for (JsonNode expected : expectedCards) {
            boolean found = false;
            for (JsonNode card : cards) {
                found |= matches(expected, card);
            }
            assertThat(found).as(caseName + ": a card like " + expected + " in " + cards).isTrue();
        }
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

    public static List<String> suggestionActionTypes(JsonNode card) {
        List<String> types = new ArrayList<>();
        card.path("suggestions").forEach(s -> s.path("actions").forEach(a -> types.add(a.path("type").asText())));
        return types;
    }
}
