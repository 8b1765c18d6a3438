package org.legcramp.cds.hooks;

/** The request body is over the configured limit; answered 413. */
public final class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limitBytes) {
        this("Request body is larger than the limit of " + limitBytes + " bytes");
    }

    public PayloadTooLargeException(String message) {
        super(message);
    }
}
