package org.legcramp.cds.hooks;

/** A hook call that could not be answered within its deadline, or not started for want of capacity: a 503. */
public final class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String message) {
        super(message);
    }
}
