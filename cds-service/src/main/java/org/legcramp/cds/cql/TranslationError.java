package org.legcramp.cds.cql;

/**
 * One CQL translation error where an informaticist's editor can jump to it: {@code
 * cql/QuinineForCramps.cql:40:24: '(' is not closed}. Line and column are 1-based.
 */
public record TranslationError(String file, int line, int column, String message) {

    public static String fileOf(String libraryName) {
        return "cql/" + libraryName + ".cql";
    }

    /** The library the error is in, from its file: {@code cql/QuinineForCramps.cql} gives QuinineForCramps. */
    public String library() {
        return file.replaceFirst("^cql/", "").replaceFirst("\\.cql$", "");
    }

    /** {@code file:line:column}, or the file alone when the translator gave no position. */
    public String location() {
        return line > 0 ? file + ":" + line + ":" + column : file;
    }

    @Override
    public String toString() {
        return location() + ": " + message;
    }
}
