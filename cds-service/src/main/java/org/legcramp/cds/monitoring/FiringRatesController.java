package org.legcramp.cds.monitoring;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.legcramp.cds.feedback.AnalyticsPeriod;
import org.legcramp.cds.feedback.CardAnalytics;
import org.legcramp.cds.feedback.CardLedger;
import org.legcramp.cds.hooks.BadRequestException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /analytics/firing-rates?from=2026-11-24&to=2026-11-30&baselineDays=28&traffic=clinical}:
 * per rule and hook, the calls evaluated, how many fired (shown, silent, suppressed as repeats), the
 * rates per 1,000 calls, the acceptance and override rates of its cards, and a flag when the rate moved
 * sharply against the baseline (the {@code baselineDays} before {@code from}). Default period: the last
 * 7 days; default traffic: clinical only ({@code traffic=all} adds test and workbench calls).
 */
@RestController
public class FiringRatesController {

    private final RuleEvaluations evaluations;
    private final CardLedger ledger;
    private final RuleModes modes;

    public FiringRatesController(RuleEvaluations evaluations, CardLedger ledger, RuleModes modes) {
        this.evaluations = evaluations;
        this.ledger = ledger;
        this.modes = modes;
    }

    @GetMapping(path = "/analytics/firing-rates", produces = MediaType.APPLICATION_JSON_VALUE)
    public FiringRates firingRates(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String baselineDays, @RequestParam(required = false) String traffic) {
        AnalyticsPeriod period = AnalyticsPeriod.of(from, to, 7);
        LocalDate start = period.start();
        LocalDate end = period.end();
        int baseline = days(baselineDays);
        boolean all = TrafficClass.includeNonClinical(traffic);
        LocalDate baselineFrom = start.minusDays(baseline);
        LocalDate baselineTo = start.minusDays(1);

        Map<String, RuleEvaluations.Counts> base = new HashMap<>();
        evaluations.counts(instant(baselineFrom), instant(start), all).forEach(c -> base.put(c.rule() + "|" + c.hook(), c));
        Map<String, CardAnalytics.CardStats> answered = new LinkedHashMap<>();
        CardAnalytics cards = ledger.analytics(start, end, all);
        cards.rules().forEach(rule -> rule.cards().forEach(card -> answered.merge(card.service(), card, FiringRatesController::sum)));

        List<FiringRates.RuleRate> rates = new ArrayList<>();
        for (RuleEvaluations.Counts now : evaluations.counts(instant(start), instant(end.plusDays(1)), all)) {
            RuleEvaluations.Counts before = base.getOrDefault(now.rule() + "|" + now.hook(),
                    new RuleEvaluations.Counts(now.rule(), now.hook(), 0, 0, 0, 0));
            long triggered = now.fired() + now.silent() + now.suppressed();
            long triggeredBefore = before.fired() + before.silent() + before.suppressed();
            CardAnalytics.CardStats feedback = answered.get(now.rule() + "-" + now.hook());
            rates.add(new FiringRates.RuleRate(now.rule(), now.hook(), modes.mode(now.rule()).id(), now.calls(), now.fired(),
                    now.silent(), now.suppressed(), now.notFired(), FiringRates.per1000(now.fired(), now.calls()),
                    FiringRates.per1000(now.silent(), now.calls()), FiringRates.per1000(now.suppressed(), now.calls()),
                    FiringRates.per1000(triggered, now.calls()),
                    feedback == null ? null : feedback.acceptanceRate(), feedback == null ? null : feedback.overrideRate(),
                    before.calls(), FiringRates.per1000(triggeredBefore, before.calls()),
                    PatternChange.DEFAULT.test(before.calls(), triggeredBefore, now.calls(), triggered)));
        }
        return new FiringRates(start, end, baselineFrom, baselineTo, all,
                "two-proportion z-test, |z| >= " + PatternChange.DEFAULT.zThreshold() + " with at least "
                        + PatternChange.DEFAULT.minCalls() + " calls in each period", rates);
    }

    /** One service's cards (several summaries) as one: what its feedback was, all cards together. */
    private static CardAnalytics.CardStats sum(CardAnalytics.CardStats a, CardAnalytics.CardStats b) {
        return new CardAnalytics.CardStats(a.rule(), a.service(), a.summary(), a.indicator(), a.fired() + b.fired(),
                a.accepted() + b.accepted(), a.overridden() + b.overridden(), a.answerChanged() + b.answerChanged(),
                List.of(), List.of());
    }

    private static Instant instant(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static int days(String value) {
        if (value == null || value.isBlank()) {
            return 28;
        }
        try {
            int days = Integer.parseInt(value);
            if (days >= 1 && days <= 366) {
                return days;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("'baselineDays' must be a whole number of days from 1 to 366");
    }
}
