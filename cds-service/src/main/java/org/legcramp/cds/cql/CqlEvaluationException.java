package org.legcramp.cds.cql;

/** The engine failed while evaluating a library on a patient's data. */
public final class CqlEvaluationException extends RuntimeException {

    public CqlEvaluationException(String libraryName, Throwable cause) {
        super("Evaluation of CQL library " + libraryName + " failed: " + cause.getMessage(), cause);
    }
}
