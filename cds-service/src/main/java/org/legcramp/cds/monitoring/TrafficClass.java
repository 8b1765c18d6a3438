package org.legcramp.cds.monitoring;

import java.util.Arrays;
import java.util.Locale;
import org.legcramp.cds.hooks.BadRequestException;

/**
 * Who a hook call is for: a clinician (the default), a test, or the authoring workbench. Sent by the
 * caller in the {@value #HEADER} header; analytics leave non-clinical traffic out unless asked.
 */
public enum TrafficClass {
    CLINICAL, TEST, WORKBENCH;

    public static final String HEADER = "X-LegCramp-Traffic";

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The {@code traffic} parameter of the analytics: {@code clinical} (the default) leaves out test and
     * workbench calls, {@code all} keeps them.
     */
    public static boolean includeNonClinical(String traffic) {
        if (traffic == null || traffic.isBlank() || traffic.equals("clinical")) {
            return false;
        }
        if (traffic.equals("all")) {
            return true;
        }
        throw new BadRequestException("'traffic' must be 'clinical' (the default) or 'all'");
    }

    /** The header's value; absent means clinical, anything unknown is a 400. */
    public static TrafficClass fromHeader(String value) {
        if (value == null || value.isBlank()) {
            return CLINICAL;
        }
        return Arrays.stream(values()).filter(t -> t.id().equals(value.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new BadRequestException(HEADER + " must be one of clinical, test, workbench"));
    }
}
