package org.legcramp.cds.prefetch;

/**
 * Data the rule needs could not be had: neither prefetched nor fetchable. Answered 412, as the
 * CDS Hooks spec asks, so the EHR knows to send it (or to fix its FHIR server access).
 */
public final class RequiredDataUnavailableException extends RuntimeException {

    public RequiredDataUnavailableException(String message) {
        super(message);
    }
}
