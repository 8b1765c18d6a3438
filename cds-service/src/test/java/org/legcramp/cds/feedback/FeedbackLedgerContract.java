package org.legcramp.cds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the card ledger must do on every database it runs on: record each card issued, store
 * feedback against it (duplicates once, unknown cards flagged, never lost), and count it all in
 * the analytics. Subclasses choose the database.
 */
abstract class FeedbackLedgerContract {

    private static final String SERVICE = "/cds-services/quinine-for-cramps-order-sign";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    private CdsClient client() {
        return new CdsClient(port);
    }

    private JsonNode issueQuinineCard() {
        var reply = client().post(SERVICE, HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").clinicalRequest());
        assertThat(reply.status()).isEqualTo(200);
        return reply.json().at("/cards/0");
    }

    private int sendFeedback(String item) {
        return client().post(SERVICE + "/feedback", "{\"feedback\": [" + item + "]}").status();
    }

    private JsonNode quinineAnalytics() {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode analytics = client().get("/analytics/cards?from=" + today + "&to=" + today).json();
        for (JsonNode rule : analytics.get("rules")) {
            if (rule.get("rule").asText().equals("quinine-for-cramps")) {
                return rule;
            }
        }
        return null;
    }

    private long count(JsonNode rule, String field) {
        return rule == null ? 0 : rule.get(field).asLong();
    }

    @Autowired
    CardLedger ledger;

    @Autowired
    org.legcramp.cds.rules.RuleCatalog catalog;

    private static org.legcramp.cds.hooks.wire.Card card(String uuid) {
        return new org.legcramp.cds.hooks.wire.Card(uuid, "summary", "detail", "info",
                new org.legcramp.cds.hooks.wire.Card.Source("source", "https://example.org"), List.of(), null, List.of(), List.of(), null);
    }

    private long issuedRows(String... uuids) {
        return jdbc.sql("SELECT COUNT(*) FROM issued_card WHERE card_uuid IN (:uuids)").param("uuids", List.of(uuids))
                .query(Long.class).single();
    }

    @Test
    void cardsOfOneCallAreRecordedTogetherOrNotAtAll() {
        var service = catalog.service("quinine-for-cramps-order-sign").orElseThrow();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String third = UUID.randomUUID().toString();
        ledger.recordIssued(service, "hook-1", List.of(card(first), card(second)), java.time.Instant.now());
        assertThat(issuedRows(first, second)).isEqualTo(2);

        // A repeated uuid fails the batch: the call's new card is not kept either.
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                ledger.recordIssued(service, "hook-2", List.of(card(third), card(first)), java.time.Instant.now()))
                .isInstanceOf(org.springframework.dao.DataAccessException.class);
        assertThat(issuedRows(third)).isZero();
    }

    @Test
    void issuedCardIsRecordedWithoutPatientData() {
        JsonNode card = issueQuinineCard();
        var row = jdbc.sql("SELECT service_id, rule_id, indicator, card_title FROM issued_card WHERE card_uuid = :uuid")
                .param("uuid", card.get("uuid").asText()).query().singleRow();
        assertThat(row.get("SERVICE_ID") != null ? row.get("SERVICE_ID") : row.get("service_id")).isEqualTo("quinine-for-cramps-order-sign");
        assertThat(row.values()).noneMatch(value -> String.valueOf(value).contains("pat-quinine"));
    }

    @Test
    void feedbackIsStoredAndCountedPerRule() {
        JsonNode before = quinineAnalytics();
        JsonNode accepted = issueQuinineCard();
        JsonNode overridden = issueQuinineCard();

        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:15:00Z",
                 "acceptedSuggestions": [{"id": "%s"}]}""".formatted(accepted.get("uuid").asText(),
                accepted.at("/suggestions/0/uuid").asText()))).isEqualTo(200);
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:16:00Z",
                 "overrideReason": {"reason": %s, "userComment": "Patient has had malaria before"}}""".formatted(
                overridden.get("uuid").asText(), overridden.at("/overrideReasons/0")))).isEqualTo(200);

        JsonNode after = quinineAnalytics();
        assertThat(count(after, "fired") - count(before, "fired")).isEqualTo(2);
        assertThat(count(after, "accepted") - count(before, "accepted")).isEqualTo(1);
        assertThat(count(after, "overridden") - count(before, "overridden")).isEqualTo(1);
        assertThat(after.get("acceptanceRate").isNumber()).isTrue();
        assertThat(after.get("overrideReasons").has("malaria-indication")).isTrue();
        assertThat(after.toString()).contains("Patient has had malaria before");
    }

    @Test
    void cardAcceptedThenOverriddenCountsOnceByItsLastOutcome() {
        JsonNode before = quinineAnalytics();
        JsonNode acceptedThenOverridden = issueQuinineCard();
        JsonNode overriddenThenAccepted = issueQuinineCard();
        String uuid = acceptedThenOverridden.get("uuid").asText();
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:15:00Z"}""".formatted(uuid)))
                .isEqualTo(200);
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:17:00Z",
                 "overrideReason": {"reason": %s}}""".formatted(uuid, acceptedThenOverridden.at("/overrideReasons/0"))))
                .isEqualTo(200);
        // Arriving in the other order: the outcome's own time decides which is last, not its arrival.
        String other = overriddenThenAccepted.get("uuid").asText();
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:20:00Z"}""".formatted(other)))
                .isEqualTo(200);
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:19:00Z",
                 "overrideReason": {"reason": %s}}""".formatted(other, overriddenThenAccepted.at("/overrideReasons/0"))))
                .isEqualTo(200);

        JsonNode after = quinineAnalytics();
        assertThat(count(after, "fired") - count(before, "fired")).isEqualTo(2);
        assertThat(count(after, "accepted") - count(before, "accepted")).isEqualTo(1);
        assertThat(count(after, "overridden") - count(before, "overridden")).isEqualTo(1);
        assertThat(count(after, "answerChanged") - count(before, "answerChanged")).isEqualTo(2);
    }

    @Test
    void overrideReasonSentWithCodeAndSystemOnlyIsShownWithTheCodeSystemsDisplay() {
        JsonNode card = issueQuinineCard();
        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:30:00Z",
                 "overrideReason": {"reason": {"system": "http://legcrampcds.org/fhir/CodeSystem/override-reason",
                   "code": "patient-declined"}}}""".formatted(card.get("uuid").asText()))).isEqualTo(200);

        List<String> displays = new java.util.ArrayList<>();
        quinineAnalytics().get("cards").forEach(stats -> stats.get("overrideReasons").forEach(reason -> {
            if (reason.get("code").asText().equals("patient-declined")) {
                displays.add(reason.get("display").asText());
            }
        }));
        assertThat(displays).containsOnly("Patient declined").isNotEmpty();
    }

    @Test
    void duplicateFeedbackIsStoredOnce() {
        JsonNode card = issueQuinineCard();
        String item = """
                {"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T11:00:00Z",
                 "overrideReason": {"reason": %s}}""".formatted(card.get("uuid").asText(), card.at("/overrideReasons/1"));

        assertThat(sendFeedback(item)).isEqualTo(200);
        assertThat(sendFeedback(item)).isEqualTo(200);

        assertThat(jdbc.sql("SELECT COUNT(*) FROM card_feedback WHERE card_uuid = :uuid")
                .param("uuid", card.get("uuid").asText()).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void feedbackForAnUnknownCardIsStoredAndFlagged() {
        String unknown = UUID.randomUUID().toString();

        assertThat(sendFeedback("""
                {"card": "%s", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T12:00:00Z"}""".formatted(unknown)))
                .isEqualTo(200);

        assertThat(jdbc.sql("SELECT unknown_card FROM card_feedback WHERE card_uuid = :uuid")
                .param("uuid", unknown).query(Boolean.class).single()).isTrue();
        assertThat(client().get("/analytics/cards").json().get("feedbackForUnknownCards").asLong()).isPositive();
    }

    @Test
    void analyticsRefuseABadDateRange() {
        assertThat(client().get("/analytics/cards?from=2026-12-01&to=2026-11-01").status()).isEqualTo(400);
        assertThat(client().get("/analytics/cards?from=yesterday").status()).isEqualTo(400);
    }
}
