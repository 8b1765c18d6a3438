package org.legcramp.cds.casetest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every CQL case in cql/tests and every hook case in fhir-resources/hook-cases, through the same
 * runner as ./cql-test: each one a named test. A library that does not translate fails its own
 * cases here, each naming file, line and column, while the service's tests cannot start at all
 * (HookCasesTest sends the same hook cases over HTTP).
 */
class CqlCasesTest {

    private static CaseRunner runner;

    @BeforeAll
    static void startRunner() {
        runner = new CaseRunner(Path.of(".."));
    }

    @AfterAll
    static void stopRunner() {
        runner.close();
    }

    @TestFactory
    Stream<DynamicTest> everyCqlCaseGivesItsExpectedDefineValues() {
        return runner.cqlCases(null, null).stream().map(cqlCase -> DynamicTest.dynamicTest(
                cqlCase.library() + "/" + cqlCase.name(), () -> assertPassed(runner.run(cqlCase))));
    }

    @TestFactory
    Stream<DynamicTest> everyHookCaseGetsItsExpectedCards() {
        return runner.hookCases(null, null).stream().map(hookCase -> DynamicTest.dynamicTest(
                hookCase.displayName(), () -> assertPassed(runner.run(hookCase))));
    }

    private static void assertPassed(CaseResult result) {
        assertThat(result.differences()).as(String.join("\n", result.explanation())).isEmpty();
    }
}
