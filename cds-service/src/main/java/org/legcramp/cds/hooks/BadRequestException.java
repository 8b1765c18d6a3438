package org.legcramp.cds.hooks;

/** The request is malformed or incomplete; answered 400 with this message. */
public final class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
