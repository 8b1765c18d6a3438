package org.legcramp.cds.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The production profile will not run open: without a trusted issuer, or without a repeat-suppression key, it refuses to start. */
class ProductionProfileTest {

    /** The refusal is the expected outcome: Spring Boot's "Application run failed" stack trace is noise here. */
    private static final String QUIET_REFUSAL = "--logging.level.org.springframework.boot.SpringApplication=off";

    @Test
    void productionRefusesToStartWithoutATrustedIssuer() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CdsApplication.class)
                .run("--spring.profiles.active=production", "--server.port=0", QUIET_REFUSAL,
                        "--spring.datasource.url=jdbc:h2:mem:production-check",
                        "--legcramp.repeat-suppression.key=a-repeat-suppression-key-of-at-least-32-characters")
                .close())
                .rootCause()
                .hasMessageContaining("no legcramp.security.trusted-issuers is configured");
    }

    @Test
    void productionRefusesToStartWithoutARepeatSuppressionKey() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CdsApplication.class)
                .run("--spring.profiles.active=production", "--server.port=0", QUIET_REFUSAL,
                        "--spring.datasource.url=jdbc:h2:mem:production-key-check",
                        "--legcramp.security.trusted-issuers[0].issuer=https://ehr.example.org",
                        "--legcramp.security.trusted-issuers[0].jwks-url=https://ehr.example.org/jwks.json")
                .close())
                .rootCause()
                .hasMessageContaining("legcramp.repeat-suppression.key is required");
    }
}
