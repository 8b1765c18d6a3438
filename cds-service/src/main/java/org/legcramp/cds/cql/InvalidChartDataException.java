package org.legcramp.cds.cql;

/**
 * A resource a rule read was not valid FHIR (see {@link ChartData}): the request's fault, not the
 * content's. Thrown inside an evaluation; {@link CqlEvaluator} rethrows the request's own error
 * (for the service, a 400 naming the resource), whatever the engine wrapped it in.
 */
public final class InvalidChartDataException extends RuntimeException {

    private final RuntimeException requestError;

    public InvalidChartDataException(RuntimeException requestError) {
        super(requestError.getMessage(), requestError, false, false);
        this.requestError = requestError;
    }

    /** The error the request's parser gave, as it would have given it had it parsed the resource at once. */
    public RuntimeException requestError() {
        return requestError;
    }
}
