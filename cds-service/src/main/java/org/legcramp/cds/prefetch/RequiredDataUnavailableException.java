package org.legcramp.cds.prefetch;

/**
 * Data the rule needs could not be had: neither prefetched nor fetchable. Answered 412, as the
 * CDS Hooks spec asks, so the EHR knows to send it (or to fix its FHIR server access). The
 * {@link Cause} says which, so an integrator can tell a network problem from a broken server.
 */
public final class RequiredDataUnavailableException extends RuntimeException {

    /** Why the data could not be had; {@link #code()} is the {@code cause} member of the 412 problem. */
    public enum Cause {
        /** Neither prefetched nor fetchable: no {@code fhirServer} in the request. */
        NOT_PROVIDED("not-provided"),
        /** The FHIR server refused the connection, or its host is unknown. */
        UNREACHABLE("unreachable"),
        /** The FHIR server did not answer within the fetch timeout or the request deadline. */
        TIMED_OUT("timed-out"),
        /** The FHIR server answered with an error status. */
        HTTP_STATUS("http-status"),
        /** The FHIR server answered with a body that is not parseable JSON. */
        UNPARSEABLE_BODY("unparseable-body"),
        /** The FHIR server answered with JSON that is not the FHIR resource asked for. */
        INVALID_FHIR("invalid-fhir"),
        /** The FHIR server answered with more resources than the service evaluates on. */
        TOO_MANY_RESOURCES("too-many-resources");

        private final String code;

        Cause(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Cause cause;

    public RequiredDataUnavailableException(Cause cause, String message) {
        super(message);
        this.cause = cause;
    }

    public Cause reason() {
        return cause;
    }
}
