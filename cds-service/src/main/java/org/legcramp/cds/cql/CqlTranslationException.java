package org.legcramp.cds.cql;

import java.util.List;

/**
 * A content library that does not translate: the service must not start with it, and the cases
 * of the rules that use it cannot run. The message is the first error, one line ({@link
 * TranslationError}); the other errors follow from it more often than not.
 */
public final class CqlTranslationException extends RuntimeException {

    private final List<TranslationError> errors;

    public CqlTranslationException(List<TranslationError> errors) {
        super(errors.get(0).location() + ": " + problem(errors));
        this.errors = List.copyOf(errors);
    }

    private static String problem(List<TranslationError> errors) {
        return errors.get(0).message() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more errors)" : "");
    }

    /** The message without the location: what is wrong there. */
    public String problem() {
        return problem(errors);
    }

    public List<TranslationError> errors() {
        return errors;
    }

    /** The error to fix first. */
    public TranslationError firstError() {
        return errors.get(0);
    }
}
