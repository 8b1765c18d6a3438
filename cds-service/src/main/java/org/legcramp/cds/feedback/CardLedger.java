package org.legcramp.cds.feedback;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.rules.CdsService;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The record of every card issued and every piece of feedback on it (no patient data), and the
 * analytics informaticists read from it. Works on the embedded H2 database and on PostgreSQL.
 */
@Repository
public class CardLedger {

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batches;
    private final TransactionTemplate transactions;
    private final DurableCommits durable;
    private final Map<String, String> reasonDisplays;

    public CardLedger(JdbcClient jdbc, NamedParameterJdbcTemplate batches, TransactionTemplate transactions,
            DurableCommits durable, KnowledgeArtifacts content) {
        this.reasonDisplays = displays(content);
        this.jdbc = jdbc;
        this.batches = batches;
        this.transactions = transactions;
        this.durable = durable;
    }

    /**
     * Records the cards of one call as one JDBC batch in one transaction, committed and on disk
     * ({@link DurableCommits}) before the caller answers: one round trip and one commit per call
     * instead of one per card.
     */
    public void recordIssued(CdsService service, String hookInstance, List<Card> cards, Instant issuedAt) {
        recordIssued(service, hookInstance, cards, issuedAt, "clinical");
    }

    /** @param traffic clinical, test or workbench (monitoring.TrafficClass): analytics leave out the non-clinical */
    public void recordIssued(CdsService service, String hookInstance, List<Card> cards, Instant issuedAt, String traffic) {
        MapSqlParameterSource[] rows = cards.stream().map(card -> new MapSqlParameterSource()
                .addValue("uuid", card.uuid())
                .addValue("service", service.id())
                .addValue("rule", service.ruleId())
                .addValue("title", card.summary())
                .addValue("indicator", card.indicator())
                .addValue("hookInstance", hookInstance)
                .addValue("issuedAt", Timestamp.from(issuedAt))
                .addValue("traffic", traffic))
                .toArray(MapSqlParameterSource[]::new);
        transactions.executeWithoutResult(status -> batches.batchUpdate("""
                INSERT INTO issued_card (card_uuid, service_id, rule_id, card_title, indicator, hook_instance, issued_at, traffic)
                VALUES (:uuid, :service, :rule, :title, :indicator, :hookInstance, :issuedAt, :traffic)""", rows));
        durable.committed();
    }

    /** What happened to each feedback item. */
    public enum Stored { STORED, STORED_FOR_UNKNOWN_CARD, DUPLICATE }

    /**
     * Stores feedback, each item committed and all of them on disk before this returns. Feedback
     * for a card this service never issued is kept and flagged, never dropped; the same feedback
     * sent twice is stored once.
     */
    public List<Stored> recordFeedback(CdsService service, List<Feedback> items, Instant receivedAt) {
        return recordFeedback(service.id(), List.of(service.id()), items, receivedAt);
    }

    /**
     * @param endpointId the service the feedback was posted to
     * @param issuingServiceIds the services whose cards it may be about: the endpoint itself, or the
     *        rules of a per-hook service
     */
    public List<Stored> recordFeedback(String endpointId, Collection<String> issuingServiceIds, List<Feedback> items,
            Instant receivedAt) {
        List<Stored> outcomes = new ArrayList<>();
        for (Feedback item : items) {
            boolean known = jdbc.sql("SELECT COUNT(*) FROM issued_card WHERE card_uuid = :uuid AND service_id IN (:services)")
                    .param("uuid", item.cardUuid()).param("services", issuingServiceIds)
                    .query(Long.class).single() > 0;
            try {
                jdbc.sql("""
                        INSERT INTO card_feedback (card_uuid, service_id, outcome, outcome_timestamp, accepted_suggestions,
                            override_reason_system, override_reason_code, override_reason_display, override_comment,
                            unknown_card, received_at)
                        VALUES (:uuid, :service, :outcome, :at, :accepted, :reasonSystem, :reasonCode, :reasonDisplay,
                            :comment, :unknown, :receivedAt)""")
                        .param("uuid", item.cardUuid())
                        .param("service", endpointId)
                        .param("outcome", item.outcome())
                        .param("at", Timestamp.from(item.outcomeTimestamp().toInstant()))
                        .param("accepted", item.acceptedSuggestionIds().isEmpty() ? null : String.join(",", item.acceptedSuggestionIds()))
                        .param("reasonSystem", item.overrideReason() == null ? null : item.overrideReason().system())
                        .param("reasonCode", item.overrideReason() == null ? null : item.overrideReason().code())
                        .param("reasonDisplay", item.overrideReason() == null ? null : item.overrideReason().display())
                        .param("comment", item.overrideComment())
                        .param("unknown", !known)
                        .param("receivedAt", Timestamp.from(receivedAt))
                        .update();
                outcomes.add(known ? Stored.STORED : Stored.STORED_FOR_UNKNOWN_CARD);
            } catch (DuplicateKeyException e) {
                outcomes.add(Stored.DUPLICATE);
            }
        }
        durable.committed();
        return outcomes;
    }

    /**
     * Each card's last outcome (latest {@code outcomeTimestamp}, then the latest received), and
     * whether it had another one before: a card accepted and then overridden (or the reverse)
     * counts once, by its last answer. Cards issued in [:start, :end).
     */
    private static final String LAST_OUTCOMES = """
            SELECT * FROM (
                SELECT f.card_uuid, f.outcome, f.override_reason_system, f.override_reason_code,
                    f.override_reason_display, f.override_comment, f.received_at,
                    ROW_NUMBER() OVER (PARTITION BY f.card_uuid ORDER BY f.outcome_timestamp DESC, f.id DESC) AS recency,
                    CASE WHEN MIN(f.outcome) OVER (PARTITION BY f.card_uuid) <> MAX(f.outcome) OVER (PARTITION BY f.card_uuid)
                        THEN 1 ELSE 0 END AS changed
                FROM card_feedback f
                WHERE f.card_uuid IN (SELECT card_uuid FROM issued_card WHERE issued_at >= :start AND issued_at < :end
                    AND (:all = TRUE OR traffic = 'clinical'))
            ) ranked WHERE ranked.recency = 1""";

    /**
     * Firing and feedback per rule and per card between two dates (from inclusive, to inclusive).
     * A card counts once, by its last outcome (the CDS Hooks sandbox, for one, keeps a card on
     * screen after its suggestion is accepted, so the clinician can override it too); cards whose
     * answer changed are counted in {@code answerChanged}. An override reason sent without a
     * display is shown with the display the content's CodeSystem gives its code.
     */
    public CardAnalytics analytics(LocalDate from, LocalDate to) {
        return analytics(from, to, false);
    }

    /** @param includeNonClinical count cards issued to test and workbench calls too */
    public CardAnalytics analytics(LocalDate from, LocalDate to, boolean includeNonClinical) {
        Timestamp start = Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant());
        Timestamp end = Timestamp.from(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        List<CardAnalytics.CardStats> cards = jdbc.sql("""
                SELECT c.rule_id, c.service_id, c.card_title, c.indicator, COUNT(*) AS fired,
                    SUM(CASE WHEN l.outcome = 'accepted' THEN 1 ELSE 0 END) AS accepted,
                    SUM(CASE WHEN l.outcome = 'overridden' THEN 1 ELSE 0 END) AS overridden,
                    SUM(COALESCE(l.changed, 0)) AS answer_changed
                FROM issued_card c LEFT JOIN (""" + LAST_OUTCOMES + """
                ) l ON l.card_uuid = c.card_uuid
                WHERE c.issued_at >= :start AND c.issued_at < :end AND (:all = TRUE OR c.traffic = 'clinical')
                GROUP BY c.rule_id, c.service_id, c.card_title, c.indicator
                ORDER BY c.rule_id, c.service_id, c.card_title""")
                .param("start", start).param("end", end).param("all", includeNonClinical)
                .query((rs, row) -> new CardAnalytics.CardStats(rs.getString("rule_id"), rs.getString("service_id"),
                        rs.getString("card_title"), rs.getString("indicator"), rs.getLong("fired"), rs.getLong("accepted"),
                        rs.getLong("overridden"), rs.getLong("answer_changed"), new ArrayList<>(), new ArrayList<>()))
                .list();
        Map<String, CardAnalytics.CardStats> byKey = new LinkedHashMap<>();
        cards.forEach(card -> byKey.put(card.service() + "|" + card.summary(), card));
        jdbc.sql("""
                SELECT c.service_id, c.card_title, l.override_reason_system, l.override_reason_code,
                    MAX(l.override_reason_display) AS sent_display, COUNT(*) AS times
                FROM (""" + LAST_OUTCOMES + """
                ) l JOIN issued_card c ON c.card_uuid = l.card_uuid
                WHERE l.outcome = 'overridden'
                GROUP BY c.service_id, c.card_title, l.override_reason_system, l.override_reason_code
                ORDER BY times DESC, l.override_reason_code""")
                .param("start", start).param("end", end).param("all", includeNonClinical)
                .query((rs, row) -> {
                    var card = byKey.get(rs.getString("service_id") + "|" + rs.getString("card_title"));
                    if (card != null) {
                        String system = rs.getString("override_reason_system");
                        String code = rs.getString("override_reason_code");
                        card.overrideReasons().add(new CardAnalytics.ReasonCount(code,
                                reasonDisplays.getOrDefault(system + "|" + code, rs.getString("sent_display")),
                                rs.getLong("times")));
                    }
                    return row;
                })
                .list();
        jdbc.sql("""
                SELECT c.service_id, c.card_title, l.override_comment
                FROM (""" + LAST_OUTCOMES + """
                ) l JOIN issued_card c ON c.card_uuid = l.card_uuid
                WHERE l.override_comment IS NOT NULL
                ORDER BY l.received_at""")
                .param("start", start).param("end", end).param("all", includeNonClinical)
                .query((rs, row) -> {
                    var card = byKey.get(rs.getString("service_id") + "|" + rs.getString("card_title"));
                    if (card != null) {
                        card.comments().add(rs.getString("override_comment"));
                    }
                    return row;
                })
                .list();
        long unknown = jdbc.sql("""
                SELECT COUNT(*) FROM card_feedback WHERE unknown_card = TRUE AND received_at >= :start AND received_at < :end""")
                .param("start", start).param("end", end).query(Long.class).single();
        return CardAnalytics.of(from, to, cards, unknown);
    }

    /** "system|code" to display, for every concept of the content's CodeSystems (the override reasons among them). */
    private static Map<String, String> displays(KnowledgeArtifacts content) {
        Map<String, String> displays = new HashMap<>();
        content.codeSystems().forEach(codeSystem -> codeSystem.getConcept().stream().filter(c -> c.hasDisplay())
                .forEach(concept -> displays.put(codeSystem.getUrl() + "|" + concept.getCode(), concept.getDisplay())));
        return displays;
    }
}
