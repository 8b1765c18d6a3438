package org.legcramp.cds.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Locale;
import org.legcramp.cds.hooks.BadRequestException;

/**
 * Who a hook call is for: a clinician (the default), a test, or the authoring workbench. Sent by the
 * caller in the {@value #HEADER} header, or by the request itself in its CDS Hooks {@code extension}
 * object under {@value #REQUEST_EXTENSION} (the sample requests say {@code test}, so posting one by
 * hand is not counted); the header wins. Analytics leave non-clinical traffic out unless asked.
 */
public enum TrafficClass {
    CLINICAL, TEST, WORKBENCH;

    public static final String HEADER = "X-LegCramp-Traffic";
    public static final String REQUEST_EXTENSION = "org.legcramp.traffic";

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

    /**
     * The header's value, else the request's {@value #REQUEST_EXTENSION} extension; neither means
     * clinical, anything unknown is a 400.
     */
    public static TrafficClass of(String header, JsonNode requestBody) {
        if (header != null && !header.isBlank()) {
            return fromHeader(header);
        }
        JsonNode declared = requestBody.path("extension").path(REQUEST_EXTENSION);
        if (declared.isMissingNode() || declared.isNull()) {
            return CLINICAL;
        }
        return named(declared.isTextual() ? declared.asText() : "", "extension." + REQUEST_EXTENSION);
    }

    /** The header's value; absent means clinical, anything unknown is a 400. */
    public static TrafficClass fromHeader(String value) {
        if (value == null || value.isBlank()) {
            return CLINICAL;
        }
        return named(value, HEADER);
    }

    /** The class a caller named in {@code where}, or a 400 saying what it may be. */
    private static TrafficClass named(String value, String where) {
        return Arrays.stream(values()).filter(t -> t.id().equals(value.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new BadRequestException(where + " must be one of clinical, test, workbench"));
    }
}
