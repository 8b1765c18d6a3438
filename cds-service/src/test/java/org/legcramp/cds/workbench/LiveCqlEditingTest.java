package org.legcramp.cds.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Live CQL editing in the workbench: an informaticist's edit to a rule's library, or to the shared
 * library it includes, changes that run's answer at once, through the real translator and engine;
 * the hook endpoints go on answering with the saved CQL; an edit that does not translate is a 400
 * that says where (line:column); the rule's case set says which cases the edit changes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LiveCqlEditingTest {

    private static final Map<String, String> WORKBENCH = Map.of("X-LegCramp-Traffic", "workbench");
    private static final String RULE = "cramps-with-dvt-signs";
    private static final String SERVICE = "cramps-with-dvt-signs-patient-view";
    private static final String LIBRARY = "CrampsWithDvtSigns";
    private static final String FIRING_CASE = "fires-recent-cramp-with-leg-swelling-on-examination";
    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    private CdsClient client() {
        return new CdsClient(port);
    }

    private String savedCql(String library) {
        return client().get("/workbench/api/cql/" + library, WORKBENCH).json().get("source").asText();
    }

    private ObjectNode runOfFiringCase() {
        ObjectNode run = JSON.createObjectNode().put("service", SERVICE);
        run.set("request", HookCase.named(RULE, FIRING_CASE).request());
        return run;
    }

    private static ObjectNode withCql(ObjectNode run, String library, String source) {
        run.putObject("cql").put(library, source);
        return run;
    }

    private JsonNode cardsFromTheHookEndpoint() {
        return client().post("/cds-services/" + SERVICE, HookCase.named(RULE, FIRING_CASE).request()).json().get("cards");
    }

    @Test
    void theEditorGetsTheSavedCqlAndTheLibrariesItIncludes() {
        JsonNode cql = client().get("/workbench/api/cql/" + LIBRARY, WORKBENCH).json();

        assertThat(cql.get("source").asText()).startsWith("/*").contains("library CrampsWithDvtSigns version '1.0.0'");
        assertThat(cql.get("includes").toString()).isEqualTo("[\"LegCrampCommon\"]");
    }

    @Test
    void anEditedThresholdTakesTheCardAwayForThatRunOnlyAndTheHookEndpointKeepsTheSavedCql() {
        String narrowed = savedCql(LIBRARY).replace("default 30 days", "default 0 days");

        JsonNode edited = client().post("/workbench/api/run", withCql(runOfFiringCase(), LIBRARY, narrowed), WORKBENCH).json();

        assertThat(edited.get("cards")).as(edited.toString()).isEmpty();
        assertThat(edited.at("/cql/edited").toString()).isEqualTo("[\"CrampsWithDvtSigns\"]");
        assertThat(edited.at("/why/parameters/0/value").asText()).isEqualTo("0 days");
        assertThat(edited.at("/why/cards/0/fired").asBoolean()).isFalse();
        assertThat(cardsFromTheHookEndpoint()).hasSize(1);
        assertThat(client().post("/workbench/api/run", runOfFiringCase(), WORKBENCH).json().get("cards")).hasSize(1);
    }

    @Test
    void anEditToTheSharedLibraryReachesTheRuleThatIncludesIt() {
        String noCramps = savedCql("LegCrampCommon").replace("\"Confirmed Active\"([Condition: \"Muscle Cramp\"])",
                "( \"Confirmed Active\"([Condition: \"Muscle Cramp\"]) ) C where false");

        JsonNode edited = client().post("/workbench/api/run", withCql(runOfFiringCase(), "LegCrampCommon", noCramps),
                WORKBENCH).json();

        assertThat(edited.get("cards")).as(edited.toString()).isEmpty();
        assertThat(edited.at("/why/cards/0/notMet").toString()).contains("\"expression\":\"not \\\"Has Cramps\\\"\",\"value\":\"true\"");
        assertThat(cardsFromTheHookEndpoint()).hasSize(1);
    }

    @Test
    void cqlThatDoesNotTranslateIs400WithEachErrorsLineAndColumn() {
        String saved = savedCql(LIBRARY);
        String broken = saved.replace("define \"Window\":", "define \"Window\" :: ");
        int line = saved.substring(0, saved.indexOf("define \"Window\":")).split("\n", -1).length;

        var reply = client().post("/workbench/api/run", withCql(runOfFiringCase(), LIBRARY, broken), WORKBENCH);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("title").asText()).isEqualTo("CQL does not translate");
        JsonNode error = reply.json().at("/errors/0");
        assertThat(error.get("library").asText()).isEqualTo(LIBRARY);
        assertThat(error.get("line").asInt()).isEqualTo(line);
        assertThat(error.get("column").asInt()).isPositive();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(reply.json().get("detail").asText()).contains("cql/" + LIBRARY + ".cql:" + line + ":");
    }

    @Test
    void anEditThatDropsADefineThePlanDefinitionReadsIs400NamingIt() {
        String renamed = savedCql(LIBRARY).replace("define \"Cramps With Signs Of DVT\":", "define \"Signs Of DVT\":");

        var reply = client().post("/workbench/api/run", withCql(runOfFiringCase(), LIBRARY, renamed), WORKBENCH);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("\"Cramps With Signs Of DVT\"").contains("no longer has");
    }

    @Test
    void onlyTheContentsLibrariesCanBeEdited() {
        var reply = client().post("/workbench/api/run", withCql(runOfFiringCase(), "FHIRHelpers", "library FHIRHelpers"),
                WORKBENCH);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("not a CQL library of the content");
    }

    @Test
    void theSameEditRunsAgainWithoutTranslatingAgain() {
        String edit = savedCql(LIBRARY).replace("default 30 days", "default 29 days");
        client().post("/workbench/api/run", withCql(runOfFiringCase(), LIBRARY, edit), WORKBENCH);

        JsonNode again = client().post("/workbench/api/run", withCql(runOfFiringCase(), LIBRARY, edit), WORKBENCH).json();

        assertThat(again.at("/cql/cached").asBoolean()).isTrue();
        assertThat(again.get("cards")).hasSize(1);
    }

    @Test
    void theRulesCaseSetComparesEachCaseAsSavedWithTheEditedCql() {
        ObjectNode run = JSON.createObjectNode().put("rule", RULE);
        withCql(run, LIBRARY, savedCql(LIBRARY).replace("default 30 days", "default 0 days"));

        JsonNode result = client().post("/workbench/api/run-cases", run, WORKBENCH).json();

        assertThat(result.get("changed").asInt()).isPositive();
        JsonNode firing = null;
        for (JsonNode c : result.get("cases")) {
            if (c.get("case").asText().equals(FIRING_CASE)) {
                firing = c;
            }
            if (c.get("case").asText().startsWith("silent-")) {
                assertThat(c.get("changed").asBoolean()).as(c.toString()).isFalse();
            }
        }
        assertThat(firing).isNotNull();
        assertThat(firing.get("firesAsSaved").asBoolean()).isTrue();
        assertThat(firing.get("passedAsSaved").asBoolean()).isTrue();
        assertThat(firing.get("fires").asBoolean()).isFalse();
        assertThat(firing.get("passed").asBoolean()).isFalse();
        assertThat(firing.get("changed").asBoolean()).isTrue();
        assertThat(cardsFromTheHookEndpoint()).hasSize(1);
    }
}
