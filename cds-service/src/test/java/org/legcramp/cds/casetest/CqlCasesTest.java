package org.legcramp.cds.casetest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every CQL case in cql/tests, through the same runner as ./cql-test: each one a named test. */
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
                cqlCase.library() + "/" + cqlCase.name(), () -> {
                    CaseResult result = runner.run(cqlCase);
                    assertThat(result.differences()).as(String.join("\n", result.explanation())).isEmpty();
                }));
    }
}
