package org.legcramp.cds.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsApplication;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;

/** In the production profile the workbench does not exist: its page and API are a plain 404, with no login asked. */
class WorkbenchProductionTest {

    @Test
    void productionHasNoWorkbench() {
        try (var context = new SpringApplicationBuilder(CdsApplication.class).run("--spring.profiles.active=production",
                "--server.port=0", "--spring.datasource.url=jdbc:h2:mem:workbench-production",
                "--legcramp.repeat-suppression.key=a-repeat-suppression-key-of-at-least-32-characters",
                "--legcramp.security.trusted-issuers[0].issuer=https://ehr.example.org",
                "--legcramp.security.trusted-issuers[0].jwks-url=https://ehr.example.org/jwks.json")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            CdsClient client = new CdsClient(port);

            assertThat(client.get("/workbench").status()).isEqualTo(404);
            assertThat(client.get("/workbench/api/cases", Map.of("X-LegCramp-Traffic", "workbench")).status()).isEqualTo(404);
        }
    }
}
