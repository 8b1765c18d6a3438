package org.legcramp.cds.feedback;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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

    public CardLedger(JdbcClient jdbc, NamedParameterJdbcTemplate batches, TransactionTemplate transactions,
            DurableCommits durable) {
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
        MapSqlParameterSource[] rows = cards.stream().map(card -> new MapSqlParameterSource()
                .addValue("uuid", card.uuid())
                .addValue("service", service.id())
                .addValue("rule", service.ruleId())
                .addValue("title", card.summary())
                .addValue("indicator", card.indicator())
                .addValue("hookInstance", hookInstance)
                .addValue("issuedAt", Timestamp.from(issuedAt)))
                .toArray(MapSqlParameterSource[]::new);
        transactions.executeWithoutResult(status -> batches.batchUpdate("""
                INSERT INTO issued_card (card_uuid, service_id, rule_id, card_title, indicator, hook_instance, issued_at)
                VALUES (:uuid, :service, :rule, :title, :indicator, :hookInstance, :issuedAt)""", rows));
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

    /** Firing and feedback per rule and per card between two dates (from inclusive, to inclusive). */
    public CardAnalytics analytics(LocalDate from, LocalDate to) {
        Timestamp start = Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant());
        Timestamp end = Timestamp.from(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        List<CardAnalytics.CardStats> cards = jdbc.sql("""
                SELECT c.rule_id, c.service_id, c.card_title, c.indicator, COUNT(*) AS fired,
                    SUM(CASE WHEN EXISTS (SELECT 1 FROM card_feedback f WHERE f.card_uuid = c.card_uuid AND f.outcome = 'accepted')
                        THEN 1 ELSE 0 END) AS accepted,
                    SUM(CASE WHEN EXISTS (SELECT 1 FROM card_feedback f WHERE f.card_uuid = c.card_uuid AND f.outcome = 'overridden')
                        THEN 1 ELSE 0 END) AS overridden
                FROM issued_card c
                WHERE c.issued_at >= :start AND c.issued_at < :end
                GROUP BY c.rule_id, c.service_id, c.card_title, c.indicator
                ORDER BY c.rule_id, c.service_id, c.card_title""")
                .param("start", start).param("end", end)
                .query((rs, row) -> new CardAnalytics.CardStats(rs.getString("rule_id"), rs.getString("service_id"),
                        rs.getString("card_title"), rs.getString("indicator"), rs.getLong("fired"), rs.getLong("accepted"),
                        rs.getLong("overridden"), new ArrayList<>(), new ArrayList<>()))
                .list();
        Map<String, CardAnalytics.CardStats> byKey = new LinkedHashMap<>();
        cards.forEach(card -> byKey.put(card.service() + "|" + card.summary(), card));
        jdbc.sql("""
                SELECT c.service_id, c.card_title, f.override_reason_code, f.override_reason_display, COUNT(*) AS times
                FROM card_feedback f JOIN issued_card c ON c.card_uuid = f.card_uuid
                WHERE f.outcome = 'overridden' AND c.issued_at >= :start AND c.issued_at < :end
                GROUP BY c.service_id, c.card_title, f.override_reason_code, f.override_reason_display
                ORDER BY times DESC""")
                .param("start", start).param("end", end)
                .query((rs, row) -> {
                    var card = byKey.get(rs.getString("service_id") + "|" + rs.getString("card_title"));
                    if (card != null) {
                        card.overrideReasons().add(new CardAnalytics.ReasonCount(rs.getString("override_reason_code"),
                                rs.getString("override_reason_display"), rs.getLong("times")));
                    }
                    return row;
                })
                .list();
        jdbc.sql("""
                SELECT c.service_id, c.card_title, f.override_comment
                FROM card_feedback f JOIN issued_card c ON c.card_uuid = f.card_uuid
                WHERE f.override_comment IS NOT NULL AND c.issued_at >= :start AND c.issued_at < :end
                ORDER BY f.received_at""")
                .param("start", start).param("end", end)
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
}
