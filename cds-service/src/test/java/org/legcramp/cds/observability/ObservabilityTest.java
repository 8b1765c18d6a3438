package org.legcramp.cds.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Health, metrics and logs: what operators watch, and nothing of the patient in the logs. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityTest {

    @LocalServerPort
    int port;

    @Test
    void prometheusShowsLatencyPerServiceStagesAndCardsByIndicator() {
        CdsClient client = new CdsClient(port);
        client.post("/cds-services/quinine-for-cramps-order-sign",
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request());
        var missing = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        missing.remove("prefetch");
        assertThat(client.post("/cds-services/quinine-for-cramps-order-sign", missing).status()).isEqualTo(412);

        String metrics = client.get("/actuator/prometheus").body();

        String service = "service=\"quinine-for-cramps-order-sign\"";
        assertThat(metrics.lines()).as(metrics)
                .anyMatch(line -> line.startsWith("legcramp_hook_requests_seconds_bucket{") && line.contains(service) && line.contains("status=\"200\""))
                .anyMatch(line -> line.startsWith("legcramp_hook_requests_seconds_count{") && line.contains(service) && line.contains("status=\"412\""))
                .anyMatch(line -> line.startsWith("legcramp_hook_stage_seconds_count{") && line.contains(service) && line.contains("stage=\"parse\""))
                .anyMatch(line -> line.startsWith("legcramp_hook_stage_seconds_count{") && line.contains("stage=\"data\""))
                .anyMatch(line -> line.startsWith("legcramp_hook_stage_seconds_count{") && line.contains("stage=\"evaluation\""))
                .anyMatch(line -> line.startsWith("legcramp_hook_stage_seconds_count{") && line.contains("stage=\"cards\""))
                .anyMatch(line -> line.startsWith("legcramp_cards_issued_total{") && line.contains(service) && line.contains("indicator=\"critical\""));
    }

    @Test
    void onlyHealthAndMetricsAreExposed() {
        CdsClient client = new CdsClient(port);
        assertThat(client.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(client.get("/actuator/env").status()).isEqualTo(404);
        assertThat(client.get("/actuator/beans").status()).isEqualTo(404);
        assertThat(client.get("/actuator/heapdump").status()).isEqualTo(404);
    }

    @Test
    void logsOfARealRequestCarryTheHookInstanceAndNoPatientData(CapturedOutput output) {
        var request = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        var invalid = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        ((com.fasterxml.jackson.databind.node.ObjectNode) invalid.at("/prefetch/patient")).put("birthDate", "Rosa's birthday");
        CdsClient client = new CdsClient(port);

        assertThat(client.post("/cds-services/quinine-for-cramps-order-sign", request).status()).isEqualTo(200);
        assertThat(client.post("/cds-services/quinine-for-cramps-order-sign", invalid).status()).isEqualTo(400);

        String logs = output.getAll();
        assertThat(logs).contains(request.get("hookInstance").asText());
        assertThat(logs)
                .doesNotContain("pat-quinine")      // patient id
                .doesNotContain("Rosa")             // patient name
                .doesNotContain("Example")          // family name
                .doesNotContain("draft-quinine")    // resource ids
                .doesNotContain("cond-cramp")
                .doesNotContain("G47.62")           // resource contents
                .doesNotContain("1950-03-14");
    }
}
