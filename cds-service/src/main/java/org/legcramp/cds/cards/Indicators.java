package org.legcramp.cds.cards;

import org.hl7.fhir.r4.model.PlanDefinition.RequestPriority;

/** A card's indicator from its action's priority: routine → info, urgent → warning, stat → critical. */
public final class Indicators {

    private Indicators() {}

    public static String of(RequestPriority priority) {
        return switch (priority) {
            case STAT -> "critical";
            case URGENT, ASAP -> "warning";
            default -> "info";
        };
    }
}
