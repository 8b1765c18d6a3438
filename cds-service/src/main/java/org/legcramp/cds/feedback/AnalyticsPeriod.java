package org.legcramp.cds.feedback;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.legcramp.cds.hooks.BadRequestException;

/**
 * The days an analytics query covers, from its {@code from} and {@code to} parameters (ISO dates,
 * both inclusive): {@code to} defaults to today (UTC), {@code from} to the days before it.
 */
public record AnalyticsPeriod(LocalDate start, LocalDate end) {

    /** @param defaultDays how many days the period spans when {@code from} is not given */
    public static AnalyticsPeriod of(String from, String to, int defaultDays) {
        LocalDate end = date(to, "to", LocalDate.now(ZoneOffset.UTC));
        LocalDate start = date(from, "from", end.minusDays(defaultDays - 1L));
        if (start.isAfter(end)) {
            throw new BadRequestException("'from' must not be after 'to'");
        }
        return new AnalyticsPeriod(start, end);
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
