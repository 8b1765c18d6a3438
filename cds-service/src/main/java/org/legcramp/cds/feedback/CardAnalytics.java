package org.legcramp.cds.feedback;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How each rule and card fared: fired, accepted, overridden, the reasons and comments given.
 * Each card counts once, by its last outcome; {@code answerChanged} counts the cards that got both
 * (accepted, then overridden, or the reverse). {@code acceptanceRate} is accepted / (accepted +
 * overridden), over cards that got an answer; {@code overrideRate} likewise. A rule overridden most
 * of the time is the first sign of alert fatigue.
 */
public record CardAnalytics(LocalDate from, LocalDate to, List<RuleStats> rules, long feedbackForUnknownCards) {

    public record ReasonCount(String code, String display, long count) {}

    public record CardStats(String rule, String service, String summary, String indicator, long fired, long accepted,
            long overridden, long answerChanged, List<ReasonCount> overrideReasons, List<String> comments) implements Rates {}

    public record RuleStats(String rule, long fired, long accepted, long overridden, long answerChanged, List<CardStats> cards)
            implements Rates {

        @JsonProperty
        public Map<String, Long> overrideReasons() {
            Map<String, Long> reasons = new LinkedHashMap<>();
            cards.forEach(card -> card.overrideReasons().forEach(r -> reasons.merge(r.code() == null ? "(none given)" : r.code(), r.count(), Long::sum)));
            return reasons;
        }
    }

    /** Rates over the cards that got an answer (accepted or overridden); null when none did. */
    interface Rates {
        long accepted();

        long overridden();

        @JsonProperty
        default Double acceptanceRate() {
            return rate(accepted(), accepted() + overridden());
        }

        @JsonProperty
        default Double overrideRate() {
            return rate(overridden(), accepted() + overridden());
        }

        private static Double rate(long part, long whole) {
            return whole == 0 ? null : Math.round(1000.0 * part / whole) / 1000.0;
        }
    }

    static CardAnalytics of(LocalDate from, LocalDate to, List<CardStats> cards, long unknown) {
        Map<String, List<CardStats>> byRule = new LinkedHashMap<>();
        cards.forEach(card -> byRule.computeIfAbsent(card.rule(), r -> new ArrayList<>()).add(card));
        List<RuleStats> rules = new ArrayList<>();
        byRule.forEach((rule, ruleCards) -> rules.add(new RuleStats(rule,
                ruleCards.stream().mapToLong(CardStats::fired).sum(),
                ruleCards.stream().mapToLong(CardStats::accepted).sum(),
                ruleCards.stream().mapToLong(CardStats::overridden).sum(),
                ruleCards.stream().mapToLong(CardStats::answerChanged).sum(),
                ruleCards)));
        return new CardAnalytics(from, to, rules, unknown);
    }
}
