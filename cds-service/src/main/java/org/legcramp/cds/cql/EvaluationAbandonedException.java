package org.legcramp.cds.cql;

/**
 * Thrown inside an evaluation whose caller has given up on it (its deadline passed, or its thread
 * was interrupted), so that the engine stops instead of finishing work nobody will read.
 */
public final class EvaluationAbandonedException extends RuntimeException {

    public EvaluationAbandonedException() {
        super("Evaluation abandoned: its caller no longer waits for it", null, false, false);
    }
}
