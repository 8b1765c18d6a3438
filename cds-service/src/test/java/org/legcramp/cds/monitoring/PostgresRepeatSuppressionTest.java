package org.legcramp.cds.monitoring;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link RepeatSuppressionTest} on a real PostgreSQL (.ci/run sets LEGCRAMP_TEST_POSTGRES_URL; skipped without it). */
@EnabledIfEnvironmentVariable(named = "LEGCRAMP_TEST_POSTGRES_URL", matches = "jdbc:postgresql:.+")
class PostgresRepeatSuppressionTest extends RepeatSuppressionTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> System.getenv("LEGCRAMP_TEST_POSTGRES_URL"));
        registry.add("spring.datasource.username", () -> System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_USER", "legcramp"));
        registry.add("spring.datasource.password", () -> System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_PASSWORD", "legcramp"));
    }
}
