package org.legcramp.cds.feedback;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The card ledger on a real PostgreSQL, with the schema applied by Flyway. .ci/run installs and
 * starts PostgreSQL and sets LEGCRAMP_TEST_POSTGRES_URL (and _USER, _PASSWORD); without it this
 * test is skipped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EnabledIfEnvironmentVariable(named = "LEGCRAMP_TEST_POSTGRES_URL", matches = "jdbc:postgresql:.+")
class PostgresFeedbackTest extends FeedbackLedgerContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> System.getenv("LEGCRAMP_TEST_POSTGRES_URL"));
        registry.add("spring.datasource.username", () -> System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_USER", "legcramp"));
        registry.add("spring.datasource.password", () -> System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_PASSWORD", "legcramp"));
    }
}
