package org.legcramp.cds.content;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Broken content refuses start-up with Spring Boot's failure report, whose description is the one
 * line an informaticist needs ({@code cql/QuinineForCramps.cql:40:24: '(' is not closed ...}),
 * instead of the stack trace of the bean that could not be built. Registered in
 * META-INF/spring.factories.
 */
public class ContentFailureAnalyzer extends AbstractFailureAnalyzer<ContentException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ContentException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the content and start again; ./cql-test shows which cases the problem breaks"
                        + " (docs/authoring.md).", cause);
    }
}
