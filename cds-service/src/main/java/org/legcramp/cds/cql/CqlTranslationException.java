package org.legcramp.cds.cql;

import java.util.List;

/** A content library that does not translate: the service must not start with it. */
public final class CqlTranslationException extends RuntimeException {

    public CqlTranslationException(String libraryName, List<String> errors) {
        super("CQL library " + libraryName + " (cql/" + libraryName + ".cql) does not translate:\n  "
                + String.join("\n  ", errors));
    }
}
