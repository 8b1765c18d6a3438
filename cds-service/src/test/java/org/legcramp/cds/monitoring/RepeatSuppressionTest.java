package org.legcramp.cds.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A card shown on order-select is not shown again on order-sign for the same draft order within the
 * window, unless it is critical and was not overridden with a reason; the keys that remember it are
 * keyed hashes in the shared database, never the patient's or the order's ids.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"legcramp.repeat-suppression.enabled=true", "legcramp.repeat-suppression.window=30m"})
class RepeatSuppressionTest {

    private static final String NEW_DIURETIC = "/cds-services/new-diuretic-order-";
    private static final String QUININE = "/cds-services/quinine-for-cramps-order-";
    private static final String PER_HOOK = "/cds-services/leg-cramps-order-";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RepeatSuppression repeats;

    @Autowired
    AlertProperties properties;

    private CdsClient client() {
        return new CdsClient(port);
    }

    private List<JsonNode> cards(String service, JsonNode request) {
        var reply = client().post(service, request);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<JsonNode> cards = new ArrayList<>();
        reply.json().get("cards").forEach(cards::add);
        return cards;
    }

    private static List<String> summaries(List<JsonNode> cards) {
        return cards.stream().map(card -> card.get("summary").asText()).toList();
    }

    @Test
    void nonCriticalCardShownOnOrderSelectIsNotRepeatedOnOrderSign() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");

        assertThat(summaries(cards(NEW_DIURETIC + "select", session.select()))).anyMatch(s -> s.contains("electrolytes"));
        assertThat(cards(NEW_DIURETIC + "sign", session.sign())).isEmpty();
    }

    @Test
    void withoutAnOrderSelectCardTheOrderSignCardIsShown() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");

        assertThat(summaries(cards(NEW_DIURETIC + "sign", session.sign()))).anyMatch(s -> s.contains("electrolytes"));
    }

    @Test
    void theNoRepeatRuleHoldsThroughThePerHookServices() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");
        JsonNode select = withAllPrefetchKeys(session.select(), "order-select");
        JsonNode sign = withAllPrefetchKeys(session.sign(), "order-sign");

        assertThat(summaries(cards(PER_HOOK + "select", select))).anyMatch(s -> s.contains("electrolytes"));
        assertThat(summaries(cards(PER_HOOK + "sign", sign))).noneMatch(s -> s.contains("electrolytes"));
    }

    @Test
    void aCardThatMayConcernAnotherDraftOrderIsShownOnOrderSign() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");

        cards(NEW_DIURETIC + "select", session.select());

        assertThat(summaries(cards(NEW_DIURETIC + "sign", session.signWithAnotherDraft())))
                .anyMatch(s -> s.contains("electrolytes"));
    }

    @Test
    void criticalCardRepeatsOnOrderSignUnlessOverriddenWithAReason() {
        var repeated = new OrderingSession("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        assertThat(cards(QUININE + "select", repeated.select())).hasSize(1);
        assertThat(cards(QUININE + "sign", repeated.sign())).as("critical, not overridden: shown again")
                .extracting(card -> card.get("indicator").asText()).containsExactly("critical");

        var overridden = new OrderingSession("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        JsonNode shown = cards(QUININE + "select", overridden.select()).get(0);
        assertThat(feedback(QUININE + "select/feedback", shown, false)).isEqualTo(200);
        assertThat(cards(QUININE + "sign", overridden.sign())).as("critical, overridden with a reason: not repeated").isEmpty();
    }

    @Test
    void criticalCardOverriddenWithoutAReasonStillRepeatsOnOrderSign() {
        var session = new OrderingSession("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        JsonNode shown = cards(QUININE + "select", session.select()).get(0);
        assertThat(feedback(QUININE + "select/feedback", shown, true)).isEqualTo(200);

        assertThat(cards(QUININE + "sign", session.sign())).hasSize(1);
    }

    @Test
    void aRepeatAfterTheWindowIsShownAgainAndExpiredKeysAreDeleted() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");
        String uuid = cards(NEW_DIURETIC + "select", session.select()).get(0).get("uuid").asText();
        Instant expires = jdbc.sql("SELECT expires_at FROM shown_card WHERE card_uuid = :uuid").param("uuid", uuid)
                .query(java.sql.Timestamp.class).single().toInstant();
        assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));

        assertThat(repeats.purgeExpired(expires.plusSeconds(1))).isGreaterThanOrEqualTo(1);

        assertThat(jdbc.sql("SELECT COUNT(*) FROM shown_card WHERE card_uuid = :uuid").param("uuid", uuid).query(Long.class)
                .single()).isZero();
        assertThat(cards(NEW_DIURETIC + "sign", session.sign())).hasSize(1);
    }

    @Test
    void repeatKeysAreKeyedHashesWithoutPatientOrOrderIds() {
        var session = new OrderingSession("new-diuretic", "fires-new-hydrochlorothiazide");
        JsonNode select = session.select();
        String patient = select.at("/context/patientId").asText();
        String order = select.at("/context/draftOrders/entry/0/resource/id").asText();
        String uuid = cards(NEW_DIURETIC + "select", select).get(0).get("uuid").asText();

        Map<String, Object> row = jdbc.sql("SELECT * FROM shown_card WHERE card_uuid = :uuid").param("uuid", uuid).query().singleRow();
        String stored = row.values().toString();
        assertThat(stored).doesNotContain(patient).doesNotContain(order);
        String key = row.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("repeat_key")).findFirst().orElseThrow()
                .getValue().toString();
        assertThat(key).matches("[0-9a-f]{64}")
                .isEqualTo(repeats.key(patient, "MedicationRequest/" + order, "new-diuretic"))
                .isNotEqualTo(new RepeatSuppression(jdbc, secret("another-secret-of-at-least-32-characters"), properties)
                        .key(patient, "MedicationRequest/" + order, "new-diuretic"));
    }

    @Test
    void everyInstanceOnOneDatabaseMakesTheSameKeys() {
        var first = new RepeatSuppression(jdbc, new RepeatKeySecret(properties, jdbc), properties);
        var second = new RepeatSuppression(jdbc, new RepeatKeySecret(properties, jdbc), properties);

        assertThat(first.key("p", "MedicationRequest/o", "r")).isEqualTo(second.key("p", "MedicationRequest/o", "r"))
                .isEqualTo(repeats.key("p", "MedicationRequest/o", "r"));
    }

    @Test
    void aProfileThatRequiresTheKeyRefusesToStartWithoutIt() {
        var required = new AlertProperties(Map.of(), new AlertProperties.RepeatSuppression(true, Duration.ofMinutes(60), "", true));
        assertThatThrownBy(() -> new RepeatKeySecret(required, jdbc)).hasMessageContaining("legcramp.repeat-suppression.key");

        var tooShort = new AlertProperties(Map.of(), new AlertProperties.RepeatSuppression(true, Duration.ofMinutes(60), "short", true));
        assertThatThrownBy(() -> new RepeatKeySecret(tooShort, jdbc)).hasMessageContaining("at least 32 characters");
    }

    private RepeatKeySecret secret(String key) {
        return new RepeatKeySecret(new AlertProperties(Map.of(),
                new AlertProperties.RepeatSuppression(true, Duration.ofMinutes(60), key, true)), jdbc);
    }

    private int feedback(String path, JsonNode card, boolean withoutReason) {
        String override = withoutReason ? "{}" : "{\"reason\": " + card.at("/overrideReasons/0") + "}";
        return client().post(path, """
                {"feedback": [{"card": "%s", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:15:00Z",
                  "overrideReason": %s}]}""".formatted(card.get("uuid").asText(), override)).status();
    }

    /** The per-hook service asks for the union of its rules' prefetch; what the case lacks is known absent. */
    private JsonNode withAllPrefetchKeys(JsonNode request, String hook) {
        var discovery = client().get("/cds-services").json();
        var copy = (com.fasterxml.jackson.databind.node.ObjectNode) request.deepCopy();
        var prefetch = (com.fasterxml.jackson.databind.node.ObjectNode) copy.get("prefetch");
        for (JsonNode service : discovery.get("services")) {
            if (service.get("id").asText().equals("leg-cramps-" + hook)) {
                service.get("prefetch").fieldNames().forEachRemaining(key -> {
                    if (!prefetch.has(key)) {
                        prefetch.set(key, emptyBundle());
                    }
                });
            }
        }
        return copy;
    }

    private static JsonNode emptyBundle() {
        var bundle = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        bundle.put("resourceType", "Bundle").put("type", "searchset").putArray("entry");
        return bundle;
    }
}
