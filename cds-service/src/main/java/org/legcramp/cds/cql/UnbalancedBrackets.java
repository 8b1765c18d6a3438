package org.legcramp.cds.cql;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.kotlinruntime.CharStreams;
import org.antlr.v4.kotlinruntime.Token;
import org.cqframework.cql.gen.cqlLexer;

/**
 * Where a missing closing bracket is, which the parser notices only at the next statement ({@code
 * define}) or the end of the file, lines below the mistake, saying no more than "Syntax error at
 * define". The source is read with the translator's own lexer, so brackets in strings, quoted
 * names and comments do not count.
 */
final class UnbalancedBrackets {

    private static final Map<String, String> CLOSING = Map.of("(", ")", "[", "]", "{", "}");
    /** Words that start a statement (at the start of a line): brackets never stay open across one. */
    private static final Set<String> STATEMENT_STARTS = Set.of("define", "context", "parameter", "valueset", "codesystem",
            "code", "concept", "include", "using", "public", "private");

    private UnbalancedBrackets() {}

    /** A bracket of the source, at its 1-based line and column. */
    record Bracket(String text, int line, int column) {}

    /**
     * The innermost bracket still open when a syntax error at {@code line:column} (1-based) stops
     * the parser at the start of a statement or at the end of the file.
     */
    static Optional<Bracket> unclosedBefore(String source, int line, int column) {
        cqlLexer lexer = new cqlLexer(CharStreams.INSTANCE.fromString(source));
        lexer.removeErrorListeners(); // the translator reports lexical errors itself
        Deque<Token> open = new ArrayDeque<>();
        Token token = lexer.nextToken();
        while (token.getType() != Token.EOF && isBefore(token, line, column)) {
            String text = token.getText();
            if (CLOSING.containsKey(text)) {
                open.push(token);
            } else if (!open.isEmpty() && CLOSING.get(open.peek().getText()).equals(text)) {
                open.pop();
            }
            token = lexer.nextToken();
        }
        boolean stoppedAtStatementStart = token.getType() == Token.EOF
                || (token.getCharPositionInLine() == 0 && STATEMENT_STARTS.contains(token.getText()));
        if (!stoppedAtStatementStart || open.isEmpty()) {
            return Optional.empty();
        }
        Token unclosed = open.peek();
        return Optional.of(new Bracket(unclosed.getText(), unclosed.getLine(), unclosed.getCharPositionInLine() + 1));
    }

    private static boolean isBefore(Token token, int line, int column) {
        return token.getLine() < line || (token.getLine() == line && token.getCharPositionInLine() + 1 < column);
    }
}
