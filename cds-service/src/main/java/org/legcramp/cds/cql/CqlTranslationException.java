package org.legcramp.cds.cql;

import java.util.List;

/**
 * A content library that does not translate: at start-up the service must not start with it; in
 * the workbench's live editing it is the informaticist's edit to fix, error by error.
 */
public final class CqlTranslationException extends RuntimeException {

    private final transient List<TranslationError> errors;

    public CqlTranslationException(String libraryName, List<TranslationError> errors) {
        super("CQL library " + libraryName + " (cql/" + libraryName + ".cql) does not translate:\n  "
                + String.join("\n  ", errors.stream().map(TranslationError::toString).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<TranslationError> errors() {
        return errors;
    }

    /**
     * One translator error, where it is: the library it is in (an include's error names the
     * include), 1-based line and column, or 0 when the translator gave no place.
     */
    public record TranslationError(String library, int line, int column, String message) {

        @Override
        public String toString() {
            return (library == null ? "" : library + " ") + (line > 0 ? "line " + line + ":" + column + " " : "") + message;
        }
    }
}
