package org.legcramp.cds.monitoring;

import java.time.LocalDate;
import java.util.List;

/**
 * How often each rule fires per 1,000 calls of its hook, next to how clinicians answered its cards,
 * over a period, and whether that rate moved against the rule's own baseline (the period's
 * {@code baselineDays} before it). Rates count every evaluated call: a call on which the rule did not
 * fire is in the denominator.
 *
 * @param includesNonClinical whether test and workbench calls are counted (by default they are not)
 */
public record FiringRates(LocalDate from, LocalDate to, LocalDate baselineFrom, LocalDate baselineTo,
        boolean includesNonClinical, String test, List<RuleRate> rules) {

    /**
     * One rule on one hook.
     *
     * @param calls evaluated calls (the denominator)
     * @param fired calls on which cards were shown; {@code silent}: would have fired, rule silent;
     *        {@code suppressed}: fired, but only repeats of order-select cards
     * @param triggeredPer1000 fired, silent and suppressed together: what the rule's logic decided
     * @param acceptanceRate accepted / answered cards of this rule's service on this hook (null: none answered)
     * @param patternChange the recent rate against the baseline's (z null: too few calls to judge)
     */
    public record RuleRate(String rule, String hook, String mode, long calls, long fired, long silent, long suppressed,
            long notFired, Double firedPer1000, Double silentPer1000, Double suppressedPer1000, Double triggeredPer1000,
            Double acceptanceRate, Double overrideRate, long baselineCalls, Double baselineTriggeredPer1000,
            PatternChange.Result patternChange) {}

    static Double per1000(long part, long calls) {
        return calls == 0 ? null : Math.round(10_000.0 * part / calls) / 10.0;
    }
}
