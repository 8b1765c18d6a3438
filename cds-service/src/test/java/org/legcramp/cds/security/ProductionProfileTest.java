package org.legcramp.cds.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The production profile will not run open: without a trusted issuer it refuses to start. */
class ProductionProfileTest {

    @Test
    void productionRefusesToStartWithoutATrustedIssuer() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CdsApplication.class)
                .run("--spring.profiles.active=production", "--server.port=0",
                        "--spring.datasource.url=jdbc:h2:mem:production-check")
                .close())
                .rootCause()
                .hasMessageContaining("no legcramp.security.trusted-issuers is configured");
    }
}
