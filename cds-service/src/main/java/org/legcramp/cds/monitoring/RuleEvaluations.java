package org.legcramp.cds.monitoring;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.legcramp.cds.rules.CdsService;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every rule evaluated in a hook call, whether it fired or not: the denominator firing rates need.
 * One row per rule and call (no patient data), written in one batch per call.
 */
@Repository
public class RuleEvaluations {

    /** What became of one rule on one call. */
    public enum Outcome {
        /** cards shown */
        FIRED,
        /** would have fired; the rule is silent */
        SILENT,
        /** fired, but every card was a repeat of one shown on order-select */
        SUPPRESSED,
        NOT_FIRED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One rule's evaluation on one call. */
    public record Evaluation(CdsService service, Outcome outcome, int cards) {}

    /** Counts of one rule on one hook over a period. */
    public record Counts(String rule, String hook, long calls, long fired, long silent, long suppressed) {

        public long notFired() {
            return calls - fired - silent - suppressed;
        }
    }

    private final NamedParameterJdbcTemplate batches;
    private final JdbcClient jdbc;

    public RuleEvaluations(NamedParameterJdbcTemplate batches, JdbcClient jdbc) {
        this.batches = batches;
        this.jdbc = jdbc;
    }

    public void record(List<Evaluation> evaluations, TrafficClass traffic, Instant at) {
        if (evaluations.isEmpty()) {
            return;
        }
        MapSqlParameterSource[] rows = evaluations.stream().map(e -> new MapSqlParameterSource()
                .addValue("rule", e.service().ruleId())
                .addValue("service", e.service().id())
                .addValue("hook", e.service().hook().id())
                .addValue("outcome", e.outcome().id())
                .addValue("cards", e.cards())
                .addValue("traffic", traffic.id())
                .addValue("at", Timestamp.from(at)))
                .toArray(MapSqlParameterSource[]::new);
        batches.batchUpdate("""
                INSERT INTO rule_evaluation (rule_id, service_id, hook, outcome, cards, traffic, evaluated_at)
                VALUES (:rule, :service, :hook, :outcome, :cards, :traffic, :at)""", rows);
    }

    /**
     * Per rule and hook, between two instants (start inclusive, end exclusive).
     *
     * @param includeNonClinical count test and workbench calls too
     */
    public List<Counts> counts(Instant start, Instant end, boolean includeNonClinical) {
        return jdbc.sql("""
                SELECT rule_id, hook, COUNT(*) AS calls,
                    SUM(CASE WHEN outcome = 'fired' THEN 1 ELSE 0 END) AS fired,
                    SUM(CASE WHEN outcome = 'silent' THEN 1 ELSE 0 END) AS silent,
                    SUM(CASE WHEN outcome = 'suppressed' THEN 1 ELSE 0 END) AS suppressed
                FROM rule_evaluation
                WHERE evaluated_at >= :start AND evaluated_at < :end AND (:all = TRUE OR traffic = 'clinical')
                GROUP BY rule_id, hook
                ORDER BY rule_id, hook""")
                .param("start", Timestamp.from(start)).param("end", Timestamp.from(end)).param("all", includeNonClinical)
                .query((rs, row) -> new Counts(rs.getString("rule_id"), rs.getString("hook"), rs.getLong("calls"),
                        rs.getLong("fired"), rs.getLong("silent"), rs.getLong("suppressed")))
                .list();
    }
}
