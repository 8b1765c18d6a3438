package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.support.CardRules;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** "Why this card?": on request, each card carries the defines that decided it and the resources behind them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExplanationTest {

    @LocalServerPort
    int port;

    @Test
    void quinineCardExplainsWhichOrderMatched() {
        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign?explain=true",
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request());

        JsonNode card = reply.json().at("/cards/0");
        CardRules.assertValidCard(card);
        JsonNode explanation = card.path("extension").path(Card.EXPLANATION);
        assertThat(explanation.path("library").asText()).isEqualTo("QuinineForCramps");
        JsonNode condition = explanation.path("defines").get(0);
        assertThat(condition.path("name").asText()).isEqualTo("Quinine Ordered For Cramps");
        assertThat(condition.path("value").asBoolean()).isTrue();
        assertThat(condition.path("resources").toString()).contains("MedicationRequest/draft-quinine");
        assertThat(explanation.path("defines").toString()).contains("\"role\":\"suggestion: Remove the quinine order\"");
    }

    @Test
    void silenceIsExplainedToo() {
        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign?explain=true",
                HookCase.named("quinine-for-cramps", "silent-quinine-ordered-for-malaria").request());

        assertThat(reply.json().get("cards")).isEmpty();
        JsonNode notFired = reply.json().path("extension").path(Card.EXPLANATION).path("notFired").get(0);
        assertThat(notFired.path("service").asText()).isEqualTo("quinine-for-cramps-order-sign");
        assertThat(notFired.path("summary").asText()).startsWith("Cancel quinine");
        JsonNode condition = notFired.path("defines").get(0);
        assertThat(condition.path("role").asText()).isEqualTo("condition");
        assertThat(condition.path("name").asText()).isEqualTo("Quinine Ordered For Cramps");
        assertThat(condition.path("value").asBoolean(true)).isFalse();
    }

    @Test
    void silentRuleExplainsWhichConditionWasFalseWithParameterValues() {
        var reply = new CdsClient(port).post("/cds-services/cramps-with-dvt-signs-patient-view?explain=true",
                HookCase.named("cramps-with-dvt-signs", "silent-swelling-months-ago").request());

        assertThat(reply.json().get("cards")).isEmpty();
        JsonNode notFired = reply.json().path("extension").path(Card.EXPLANATION).path("notFired").get(0);
        assertThat(notFired.path("evaluatedAt").asText()).isNotBlank();
        assertThat(notFired.path("parameters").toString())
                .isEqualTo("[{\"name\":\"Recent Window\",\"value\":\"30 days\",\"source\":\"default\"}]");
        assertThat(notFired.path("notMet").toString()).isEqualTo("[{\"expression\":\"( exists \\\"Recent DVT Sign Conditions\\\""
                + " or exists \\\"Recent DVT Sign Observations\\\" )\",\"value\":\"false\"}]");
        assertThat(notFired.path("why").get(0).asText()).startsWith("CrampsWithDvtSigns evaluated at ")
                .endsWith(" with Recent Window = 30 days (default)");
        assertThat(notFired.path("why").toString()).contains("is false (a card needs true)")
                .contains("Condition/cond-swelling (onset ");
    }

    @Test
    void aFiredCardSaysTheDatesOfTheResourcesBehindItsCondition() {
        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign?explain=true",
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request());

        JsonNode condition = reply.json().at("/cards/0").path("extension").path(Card.EXPLANATION).path("defines").get(0);
        assertThat(condition.path("evidence").toString()).contains("{\"resource\":\"MedicationRequest/draft-quinine\",\"dates\":\"authoredOn ");
    }

    @Test
    void noExplanationUnlessAskedFor() {
        var reply = new CdsClient(port).post("/cds-services/quinine-for-cramps-order-sign",
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request());

        assertThat(reply.json().at("/cards/0").has("extension")).isFalse();
        assertThat(reply.json().has("extension")).isFalse();
    }
}
