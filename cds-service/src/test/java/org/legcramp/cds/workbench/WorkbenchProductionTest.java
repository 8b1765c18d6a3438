package org.legcramp.cds.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsApplication;
import org.legcramp.cds.support.CdsClient;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.core.io.ClassPathResource;

/**
 * In production the workbench does not exist: the production profile turns it off, and then its page
 * and API are a plain 404 even with client authentication on (no login asked). The service is started
 * with the production profile's settings rather than the profile itself, whose JSON logging would stay
 * switched on for the other tests of this JVM.
 */
class WorkbenchProductionTest {

    @Test
    void theProductionProfileTurnsTheWorkbenchOff() {
        YamlPropertiesFactoryBean production = new YamlPropertiesFactoryBean();
        production.setResources(new ClassPathResource("application-production.yml"));

        assertThat(production.getObject()).containsEntry("legcramp.workbench.enabled", false);
    }

    @Test
    void offWithAuthenticationOnIsAPlain404() {
        try (var context = new SpringApplicationBuilder(CdsApplication.class).run("--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:workbench-off",
                "--legcramp.workbench.enabled=false",
                "--legcramp.security.require-client-authentication=true",
                "--legcramp.security.trusted-issuers[0].issuer=https://ehr.example.org",
                "--legcramp.security.trusted-issuers[0].jwks-url=https://ehr.example.org/jwks.json")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            CdsClient client = new CdsClient(port);

            assertThat(client.get("/workbench").status()).isEqualTo(404);
            assertThat(client.get("/workbench/api/cases", Map.of("X-LegCramp-Traffic", "workbench")).status()).isEqualTo(404);
            assertThat(client.get("/workbench/api/cql/CrampsWithDvtSigns", Map.of("X-LegCramp-Traffic", "workbench")).status())
                    .isEqualTo(404);
        }
    }

    @Test
    void offThereIsNoLiveCqlEditingEither() {
        try (var context = new SpringApplicationBuilder(CdsApplication.class).run("--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:workbench-off-live-cql",
                "--legcramp.workbench.enabled=false")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            CdsClient client = new CdsClient(port);
            var edit = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                    .put("service", "cramps-with-dvt-signs-patient-view");
            edit.putObject("cql").put("CrampsWithDvtSigns", "library CrampsWithDvtSigns version '1.0.0'");
            Map<String, String> workbench = Map.of("X-LegCramp-Traffic", "workbench");

            assertThat(client.get("/workbench/api/cql/CrampsWithDvtSigns", workbench).status()).isEqualTo(404);
            assertThat(client.post("/workbench/api/run", edit, workbench).status()).isEqualTo(404);
            assertThat(client.post("/workbench/api/run-cases", edit.put("rule", "cramps-with-dvt-signs"), workbench).status())
                    .isEqualTo(404);
        }
    }
}
