package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Feedback on issued cards is validated per CDS Hooks 2.0 and accepted. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FeedbackTest {

    private static final String FEEDBACK = "/cds-services/quinine-for-cramps-order-sign/feedback";

    @LocalServerPort
    int port;

    @Test
    void overriddenCardWithReasonIsAccepted() {
        CdsClient client = new CdsClient(port);
        var card = client.post("/cds-services/quinine-for-cramps-order-sign",
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request()).json().at("/cards/0");
        String feedback = """
                {"feedback": [{"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:15:00Z",
                  "overrideReason": {"reason": %s, "userComment": "Discussed with patient"}}]}
                """.formatted(card.get("uuid").asText(), card.at("/overrideReasons/1"));

        assertThat(client.post(FEEDBACK, feedback).status()).isEqualTo(200);
    }

    @Test
    void acceptedSuggestionIsAccepted() {
        String feedback = """
                {"feedback": [{"card": "0d6f5a36-8d5c-4b0e-a3f6-5e8b6a2f9c11", "outcome": "accepted",
                  "acceptedSuggestions": [{"id": "9b1f0a3e-2c4d-4e5f-8a6b-7c8d9e0f1a2b"}],
                  "outcomeTimestamp": "2026-11-22T10:15:00+01:00"}]}
                """;
        assertThat(new CdsClient(port).post(FEEDBACK, feedback).status()).isEqualTo(200);
    }

    @Test
    void feedbackWithoutCardIs400() {
        var reply = new CdsClient(port).post(FEEDBACK,
                "{\"feedback\": [{\"outcome\": \"accepted\", \"outcomeTimestamp\": \"2026-11-22T10:15:00Z\"}]}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("feedback[0].card");
    }

    @Test
    void unknownOutcomeIs400() {
        var reply = new CdsClient(port).post(FEEDBACK, """
                {"feedback": [{"card": "0d6f5a36-8d5c-4b0e-a3f6-5e8b6a2f9c11", "outcome": "ignored",
                  "outcomeTimestamp": "2026-11-22T10:15:00Z"}]}""");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("outcome");
    }

    @Test
    void overrideReasonOnAcceptedOutcomeIs400() {
        var reply = new CdsClient(port).post(FEEDBACK, """
                {"feedback": [{"card": "0d6f5a36-8d5c-4b0e-a3f6-5e8b6a2f9c11", "outcome": "accepted",
                  "outcomeTimestamp": "2026-11-22T10:15:00Z",
                  "overrideReason": {"reason": {"system": "s", "code": "c"}}}]}""");
        assertThat(reply.status()).isEqualTo(400);
    }

    @Test
    void feedbackForUnknownServiceIs404() {
        var reply = new CdsClient(port).post("/cds-services/nope/feedback", "{\"feedback\": []}");
        assertThat(reply.status()).isEqualTo(404);
    }
}
