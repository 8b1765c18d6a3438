package org.legcramp.cds.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every evaluated call is counted per rule and hook, fired or not, so analytics give firing rates per
 * 1,000 calls; test and workbench traffic is left out of the analytics unless asked for.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FiringRatesTest {

    private static final Map<String, String> TEST_TRAFFIC = Map.of(TrafficClass.HEADER, "test");

    @LocalServerPort
    int port;

    private CdsClient client() {
        return new CdsClient(port);
    }

    /** A hook case's request as an EHR would send it (no test-traffic extension), with these headers. */
    private void call(String rule, String caseName, Map<String, String> headers) {
        var spec = HookCase.named(rule, caseName);
        assertThat(client().post("/cds-services/" + spec.service(), spec.clinicalRequest(), headers).status()).isEqualTo(200);
    }

    private JsonNode rate(String query, String rule, String hook) {
        var reply = client().get("/analytics/firing-rates" + query);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (JsonNode row : reply.json().get("rules")) {
            if (row.get("rule").asText().equals(rule) && row.get("hook").asText().equals(hook)) {
                return row;
            }
        }
        return null;
    }

    private static long count(JsonNode row, String field) {
        return row == null ? 0 : row.get(field).asLong();
    }

    private long quinineCardsFired(String traffic) {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode analytics = client().get("/analytics/cards?from=" + today + "&to=" + today + traffic).json();
        for (JsonNode rule : analytics.get("rules")) {
            if (rule.get("rule").asText().equals("quinine-for-cramps")) {
                return rule.get("fired").asLong();
            }
        }
        return 0;
    }

    @Test
    void callsThatDoNotFireAreCountedSoTheRateHasADenominator() {
        JsonNode before = rate("", "quinine-for-cramps", "order-sign");

        call("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps", Map.of());
        call("quinine-for-cramps", "silent-quinine-ordered-for-malaria", Map.of());
        call("quinine-for-cramps", "silent-quinine-with-provisional-malaria", Map.of());
        call("quinine-for-cramps", "silent-quinine-already-active-not-draft", Map.of());

        JsonNode after = rate("", "quinine-for-cramps", "order-sign");
        assertThat(count(after, "calls") - count(before, "calls")).isEqualTo(4);
        assertThat(count(after, "fired") - count(before, "fired")).isEqualTo(1);
        assertThat(count(after, "notFired") - count(before, "notFired")).isEqualTo(3);
        assertThat(after.get("firedPer1000").asDouble())
                .isEqualTo(Math.round(10_000.0 * count(after, "fired") / count(after, "calls")) / 10.0);
        assertThat(after.get("mode").asText()).isEqualTo("active");
        assertThat(after.has("acceptanceRate")).isTrue();
        assertThat(after.has("patternChange")).isTrue();
    }

    @Test
    void testTrafficIsLeftOutOfFiringRatesUnlessAskedFor() {
        JsonNode clinical = rate("", "new-diuretic", "order-sign");
        JsonNode all = rate("?traffic=all", "new-diuretic", "order-sign");

        call("new-diuretic", "fires-new-hydrochlorothiazide", TEST_TRAFFIC);

        assertThat(count(rate("", "new-diuretic", "order-sign"), "calls")).isEqualTo(count(clinical, "calls"));
        assertThat(count(rate("?traffic=all", "new-diuretic", "order-sign"), "calls")).isEqualTo(count(all, "calls") + 1);
    }

    @Test
    void cardAnalyticsLeaveOutTestAndWorkbenchTrafficUnlessAskedFor() {
        long clinical = quinineCardsFired("");
        long all = quinineCardsFired("&traffic=all");

        call("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps", TEST_TRAFFIC);
        call("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps", Map.of(TrafficClass.HEADER, "workbench"));

        assertThat(quinineCardsFired("")).isEqualTo(clinical);
        assertThat(quinineCardsFired("&traffic=all")).isEqualTo(all + 2);
    }

    @Test
    void aSampleRequestPostedByHandAsItIsStaysOutOfTheAnalytics() {
        long clinical = quinineCardsFired("");
        long all = quinineCardsFired("&traffic=all");
        JsonNode rateBefore = rate("", "quinine-for-cramps", "order-sign");
        var spec = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");

        var reply = client().post("/cds-services/" + spec.service(), spec.request(), Map.of());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("cards")).hasSize(1);
        assertThat(quinineCardsFired("")).isEqualTo(clinical);
        assertThat(quinineCardsFired("&traffic=all")).isEqualTo(all + 1);
        assertThat(count(rate("", "quinine-for-cramps", "order-sign"), "calls")).isEqualTo(count(rateBefore, "calls"));
    }

    @Test
    void theHeaderOverridesTheTrafficClassARequestDeclares() {
        long clinical = quinineCardsFired("");
        var spec = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");

        client().post("/cds-services/" + spec.service(), spec.request(), Map.of(TrafficClass.HEADER, "clinical"));

        assertThat(quinineCardsFired("")).isEqualTo(clinical + 1);
    }

    @Test
    void anUnknownTrafficClassInTheRequestIs400() {
        var spec = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        var request = spec.clinicalRequest();
        request.putObject("extension").put(TrafficClass.REQUEST_EXTENSION, "synthetic");

        var reply = client().post("/cds-services/" + spec.service(), request, Map.of());

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains(TrafficClass.REQUEST_EXTENSION);
    }

    @Test
    void anUnknownTrafficClassIs400() {
        var spec = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        var reply = client().post("/cds-services/" + spec.service(), spec.request(), Map.of(TrafficClass.HEADER, "synthetic"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains(TrafficClass.HEADER);
    }

    @Test
    void badAnalyticsParametersAre400() {
        assertThat(client().get("/analytics/firing-rates?traffic=some").status()).isEqualTo(400);
        assertThat(client().get("/analytics/firing-rates?baselineDays=0").status()).isEqualTo(400);
        assertThat(client().get("/analytics/firing-rates?from=yesterday").status()).isEqualTo(400);
        assertThat(client().get("/analytics/firing-rates?from=2026-11-30&to=2026-11-01").status()).isEqualTo(400);
        assertThat(client().get("/analytics/cards?traffic=some").status()).isEqualTo(400);
    }

    @Test
    void theRecentRateIsComparedWithTheRulesOwnBaseline() {
        JsonNode report = client().get("/analytics/firing-rates?from=2026-11-24&to=2026-11-30&baselineDays=28").json();

        assertThat(report.get("baselineFrom").asText()).isEqualTo("2026-10-27");
        assertThat(report.get("baselineTo").asText()).isEqualTo("2026-11-23");
        assertThat(report.get("test").asText()).contains("z-test");
    }
}
