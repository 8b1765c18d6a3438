package org.legcramp.cds.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A rule's mode is configuration: a silent rule is evaluated and recorded as "would have fired" but
 * shows nothing, a rule that is off is not evaluated, and discovery says which rules are which.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"legcramp.rules.new-diuretic.mode=silent", "legcramp.rules.low-value-cramp-drugs.mode=off"})
class RuleModesTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RuleCatalog catalog;

    private long evaluations(String rule, String outcome) {
        return jdbc.sql("SELECT COUNT(*) FROM rule_evaluation WHERE rule_id = :rule AND outcome = :outcome")
                .param("rule", rule).param("outcome", outcome).query(Long.class).single();
    }

    private long issued(String rule) {
        return jdbc.sql("SELECT COUNT(*) FROM issued_card WHERE rule_id = :rule").param("rule", rule).query(Long.class).single();
    }

    private JsonNode call(String rule, String caseName) {
        var spec = HookCase.named(rule, caseName);
        var reply = new CdsClient(port).post("/cds-services/" + spec.service(), spec.request());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void silentRuleShowsNoCardButIsRecordedAsWouldHaveFired() {
        long silentBefore = evaluations("new-diuretic", "silent");
        long issuedBefore = issued("new-diuretic");

        assertThat(call("new-diuretic", "fires-new-hydrochlorothiazide").get("cards")).isEmpty();

        assertThat(evaluations("new-diuretic", "silent")).isEqualTo(silentBefore + 1);
        assertThat(issued("new-diuretic")).as("no card issued").isEqualTo(issuedBefore);
    }

    @Test
    void silentRuleThatWouldNotHaveFiredIsRecordedAsNotFired() {
        long before = evaluations("new-diuretic", "not_fired");

        assertThat(call("new-diuretic", "silent-thiazide-renewal").get("cards")).isEmpty();

        assertThat(evaluations("new-diuretic", "not_fired")).isEqualTo(before + 1);
    }

    @Test
    void activeRulesKeepShowingTheirCardsBesideASilentOne() {
        long before = evaluations("quinine-for-cramps", "fired");

        assertThat(call("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").get("cards")).hasSize(1);

        assertThat(evaluations("quinine-for-cramps", "fired")).isEqualTo(before + 1);
    }

    @Test
    void ruleThatIsOffIsNotEvaluated() {
        long before = jdbc.sql("SELECT COUNT(*) FROM rule_evaluation WHERE rule_id = 'low-value-cramp-drugs'").query(Long.class).single();

        assertThat(call("low-value-cramp-drugs", "fires-magnesium-for-cramps").get("cards")).isEmpty();

        assertThat(jdbc.sql("SELECT COUNT(*) FROM rule_evaluation WHERE rule_id = 'low-value-cramp-drugs'").query(Long.class).single())
                .isEqualTo(before);
    }

    @Test
    void discoverySaysWhichRulesAreSilentOrOff() {
        JsonNode discovery = new CdsClient(port).get("/cds-services").json();
        List<JsonNode> services = new ArrayList<>();
        discovery.get("services").forEach(services::add);

        JsonNode newDiuretic = services.stream().filter(s -> s.get("id").asText().equals("new-diuretic-order-sign")).findFirst().orElseThrow();
        assertThat(newDiuretic.at("/extension/http:~1~1legcrampcds.org~1cds-hooks~1rule-modes/new-diuretic").asText()).isEqualTo("silent");
        assertThat(newDiuretic.get("description").asText()).contains("new-diuretic: silent");

        JsonNode perHook = services.stream().filter(s -> s.get("id").asText().equals("leg-cramps-order-select")).findFirst().orElseThrow();
        JsonNode modes = perHook.at("/extension/http:~1~1legcrampcds.org~1cds-hooks~1rule-modes");
        assertThat(modes.get("new-diuretic").asText()).isEqualTo("silent");
        assertThat(modes.get("low-value-cramp-drugs").asText()).isEqualTo("off");
        assertThat(modes.get("quinine-for-cramps").asText()).isEqualTo("active");
    }

    @Test
    void aModeForARuleTheContentDoesNotHaveRefusesStartUp() {
        var typo = new AlertProperties(Map.of("new-diuretics", new AlertProperties.RuleSettings(RuleMode.SILENT)),
                new AlertProperties.RepeatSuppression(true, java.time.Duration.ofMinutes(60), "", false));

        assertThatThrownBy(() -> new RuleModes(typo, catalog)).hasMessageContaining("legcramp.rules.new-diuretics.mode");
    }
}
