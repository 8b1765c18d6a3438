package org.legcramp.cds.feedback;

import org.legcramp.cds.monitoring.TrafficClass;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /analytics/cards?from=2026-11-01&to=2026-11-30}: per rule and per card, how often it
 * fired, was accepted or overridden, why, and the acceptance rate (default: the last 30 days; clinical
 * traffic only, {@code traffic=all} counts test and workbench calls too).
 */
@RestController
public class AnalyticsController {

    private final CardLedger ledger;

    public AnalyticsController(CardLedger ledger) {
        this.ledger = ledger;
    }

    @GetMapping(path = "/analytics/cards", produces = MediaType.APPLICATION_JSON_VALUE)
    public CardAnalytics cards(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String traffic) {
        AnalyticsPeriod period = AnalyticsPeriod.of(from, to, 30);
        return ledger.analytics(period.start(), period.end(), TrafficClass.includeNonClinical(traffic));
    }
}
