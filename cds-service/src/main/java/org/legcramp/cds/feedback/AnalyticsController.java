package org.legcramp.cds.feedback;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.legcramp.cds.hooks.BadRequestException;
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
        LocalDate end = date(to, "to", LocalDate.now(ZoneOffset.UTC));
        LocalDate start = date(from, "from", end.minusDays(29));
        if (start.isAfter(end)) {
            throw new BadRequestException("'from' must not be after 'to'");
        }
        return ledger.analytics(start, end, TrafficClass.includeNonClinical(traffic));
    }

    private static LocalDate date(String value, String name, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'" + name + "' must be a date like 2026-11-30");
        }
    }
}
