package org.legcramp.cds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A library that does not translate is described where an editor can jump to it, {@code
 * cql/Name.cql:line:column: message}, one line, with the cause first: a missing closing bracket at
 * the bracket left open, not where the parser gave up.
 */
class TranslationErrorsTest {

    private static String firstError(String libraryName, String cql) {
        CqlTranslationException untranslated = new CqlLibraries(Map.of(libraryName, cql)).untranslated().get(libraryName);
        assertThat(untranslated).as("the library does not translate").isNotNull();
        assertThat(untranslated.getMessage()).as("one line").doesNotContain("\n");
        return untranslated.getMessage();
    }

    @Test
    void missingClosingParenthesisIsReportedAtTheParenthesisLeftOpen() {
        String cql = String.join("\n",
                "library Toy version '1.0.0'",
                "define \"Sum\":",
                "  ( 1 + ( 2 * 3 )",
                "define \"Other\": 4");

        assertThat(firstError("Toy", cql)).startsWith("cql/Toy.cql:3:3: '(' is not closed")
                .contains("the translator noticed at 4:1");
    }

    @Test
    void missingClosingBracketInTheLastDefineIsReportedAtTheBracketNotAtTheEndOfTheFile() {
        String cql = String.join("\n",
                "library Toy version '1.0.0'",
                "define \"List\": { 1, 2, 3",
                "",
                "// the end");

        assertThat(firstError("Toy", cql)).startsWith("cql/Toy.cql:2:16: '{' is not closed");
    }

    @Test
    void bracketsInStringsAndCommentsDoNotCount() {
        String cql = String.join("\n",
                "library Toy version '1.0.0'",
                "/* a comment ( that opens */",
                "define \"Text\": ( 'a (' + \"Sum\"",
                "define \"Sum\": 1");

        assertThat(firstError("Toy", cql)).startsWith("cql/Toy.cql:3:16: '(' is not closed");
    }

    @Test
    void anUnknownNameIsReportedAtItsOwnLineAndColumnWithTheTranslatorsMessage() {
        String cql = String.join("\n",
                "library Toy version '1.0.0'",
                "define \"Four\": \"Tw\" * 2");

        assertThat(firstError("Toy", cql)).startsWith("cql/Toy.cql:2:16: ").contains("Tw");
    }

    @Test
    void aLibraryIncludingOneThatDoesNotTranslateFailsWithThatLibrarysError() {
        CqlLibraries cql = new CqlLibraries(Map.of(
                "Shared", "library Shared version '1.0.0'\ndefine \"One\": ( 1\ndefine \"Two\": 2",
                "Rule", "library Rule version '1.0.0'\ninclude Shared version '1.0.0' called S\ndefine \"Uses\": S.\"Two\"",
                "Alone", "library Alone version '1.0.0'\ndefine \"Fine\": 1"));

        assertThat(cql.untranslated()).containsOnlyKeys("Shared", "Rule");
        assertThat(cql.untranslated().get("Rule").getMessage()).startsWith("cql/Shared.cql:2:15: '(' is not closed");
        assertThat(cql.names()).containsExactly("Alone");
    }
}
