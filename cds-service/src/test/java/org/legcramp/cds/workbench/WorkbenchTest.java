package org.legcramp.cds.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The workbench's page and API in the default local run: sample patients, a run with the rule's
 * reasons whether or not it fired, parameter overrides that change the answer, a rule's case set,
 * and nothing counted in the analytics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkbenchTest {

    private static final Map<String, String> WORKBENCH = Map.of("X-LegCramp-Traffic", "workbench");
    private static final String DVT_CASE = "hook/cramps-with-dvt-signs/fires-recent-cramp-with-leg-swelling-on-examination";
    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    private CdsClient client() {
        return new CdsClient(port);
    }

    private ObjectNode runOf(String caseId) {
        JsonNode data = client().get("/workbench/api/cases/" + caseId, WORKBENCH).json();
        ObjectNode run = JSON.createObjectNode().put("service", data.get("service").asText());
        run.set("request", data.get("request"));
        return run;
    }

    @Test
    void pageIsServedFromTheServiceAndMayTalkOnlyToIt() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/workbench")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("connect-src 'self'")
                .contains("script-src 'self'");
        assertThat(page.body()).contains("<script src=\"/workbench/workbench.js\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(client().get("/workbench/workbench.js").body()).contains("X-LegCramp-Traffic").doesNotContain("https://cdn");
    }

    @Test
    void apiCallsMustSayTheyAreWorkbenchTraffic() {
        var reply = client().get("/workbench/api/cases");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("X-LegCramp-Traffic: workbench");
    }

    @Test
    void everyHookCaseAndCqlCaseIsASamplePatient() {
        JsonNode cases = client().get("/workbench/api/cases", WORKBENCH).json();

        assertThat(cases.findValuesAsText("id")).contains(DVT_CASE,
                "cql/CrampsWithDvtSigns/fires-recent-cramp-with-leg-swelling-on-examination");
    }

    @Test
    void servicesListTheirParametersWithTypeAndDefault() {
        JsonNode services = client().get("/workbench/api/services", WORKBENCH).json();

        JsonNode dvt = null;
        for (JsonNode service : services) {
            if (service.get("id").asText().equals("cramps-with-dvt-signs-patient-view")) {
                dvt = service;
            }
        }
        assertThat(dvt).isNotNull();
        assertThat(dvt.get("parameters").toString())
                .contains("{\"name\":\"Recent Window\",\"type\":\"Quantity\",\"default\":\"30 days\"}");
        assertThat(services.toString()).contains("{\"name\":\"Minimum Cramp Records\",\"type\":\"Integer\",\"default\":\"2\"}")
                .contains("{\"name\":\"Minimum eGFR\",\"type\":\"Decimal\",\"default\":\"30.0\"}");
    }

    @Test
    void productsAreSearchedByName() {
        JsonNode products = client().get("/workbench/api/products?q=quinine%20capsule", WORKBENCH).json();

        assertThat(products.findValuesAsText("display")).isNotEmpty()
                .allSatisfy(display -> assertThat(display.toLowerCase()).contains("quinine").contains("capsule"));
        assertThat(products.findValuesAsText("system")).allMatch("http://www.nlm.nih.gov/research/umls/rxnorm"::equals);
    }

    @Test
    void aParameterOverrideTakesTheCardAwayAndTheWhySaysWhichDefineDecided() {
        JsonNode fired = client().post("/workbench/api/run", runOf(DVT_CASE), WORKBENCH).json();
        assertThat(fired.get("cards")).hasSize(1);
        assertThat(fired.at("/why/cards/0/fired").asBoolean()).isTrue();
        assertThat(fired.at("/why/parameters/0").toString())
                .isEqualTo("{\"name\":\"Recent Window\",\"value\":\"30 days\",\"source\":\"default\"}");

        ObjectNode narrowed = runOf(DVT_CASE);
        narrowed.putObject("parameters").putObject("Recent Window").put("value", 0).put("unit", "days");
        JsonNode silent = client().post("/workbench/api/run", narrowed, WORKBENCH).json();

        assertThat(silent.get("cards")).isEmpty();
        assertThat(silent.at("/why/cards/0/fired").asBoolean()).isFalse();
        assertThat(silent.at("/why/cards/0/condition").asText()).isEqualTo("Cramps With Signs Of DVT");
        assertThat(silent.at("/why/cards/0/conditionValue").asBoolean()).isFalse();
        assertThat(silent.at("/why/cards/0/notMet/0/expression").asText())
                .isEqualTo("( exists \"Recent DVT Sign Conditions\" or exists \"Recent DVT Sign Observations\" )");
        assertThat(silent.at("/why/parameters/0").toString())
                .isEqualTo("{\"name\":\"Recent Window\",\"value\":\"0 days\",\"source\":\"given\"}");
        assertThat(silent.at("/why/defines").toString()).contains("Has Cramps");
        assertThat(silent.at("/why/why").toString()).contains("with Recent Window = 0 days (given)");
    }

    @Test
    void aParameterOfTheWrongTypeIs400NamingIt() {
        ObjectNode run = runOf(DVT_CASE);
        run.putObject("parameters").put("Recent Window", 7);

        var reply = client().post("/workbench/api/run", run, WORKBENCH);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("Recent Window").contains("Quantity");
    }

    @Test
    void aCqlCaseBundleRunsOnAnOrderHookWithADraftPickedFromTheProducts() {
        JsonNode bundle = client().get("/workbench/api/cases/cql/QuinineForCramps/fires-quinine-ingredient-for-sleep-cramps",
                WORKBENCH).json().get("bundle");
        ObjectNode run = JSON.createObjectNode().put("service", "quinine-for-cramps-order-sign");
        run.set("bundle", bundle);

        JsonNode result = client().post("/workbench/api/run", run, WORKBENCH).json();

        assertThat(result.get("cards")).as(result.toString()).hasSize(1);
        assertThat(result.at("/cards/0/indicator").asText()).isEqualTo("critical");
    }

    @Test
    void aRulesCaseSetSaysWhichCasesChangeOutcome() {
        ObjectNode run = JSON.createObjectNode().put("rule", "cramps-with-dvt-signs");
        run.putObject("parameters").putObject("Recent Window").put("value", 0).put("unit", "days");

        JsonNode result = client().post("/workbench/api/run-cases", run, WORKBENCH).json();

        assertThat(result.get("changed").asInt()).isPositive();
        assertThat(result.get("failed").asInt()).isEqualTo(result.get("changed").asInt());
        for (JsonNode c : result.get("cases")) {
            if (c.get("case").asText().equals("fires-recent-cramp-with-leg-swelling-on-examination")) {
                assertThat(c.get("changed").asBoolean()).isTrue();
                assertThat(c.get("passed").asBoolean()).isFalse();
                assertThat(c.get("firesAsSaved").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void workbenchRunsAreNotCountedInTheAnalytics() {
        String cardsBefore = client().get("/analytics/cards?traffic=all").body();
        String ratesBefore = client().get("/analytics/firing-rates?traffic=all").body();

        client().post("/workbench/api/run", runOf(DVT_CASE), WORKBENCH);
        client().post("/workbench/api/run-cases", JSON.createObjectNode().put("rule", "cramps-with-dvt-signs"), WORKBENCH);

        assertThat(client().get("/analytics/cards?traffic=all").body()).isEqualTo(cardsBefore);
        assertThat(client().get("/analytics/firing-rates?traffic=all").body()).isEqualTo(ratesBefore);
    }
}
