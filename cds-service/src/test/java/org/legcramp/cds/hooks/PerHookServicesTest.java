package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.rules.ServiceGroup;
import org.legcramp.cds.support.CardRules;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * One service per hook ({@code leg-cramps-order-sign}) gives, in one call, exactly the cards that
 * the hook's per-rule services give one by one, for every hook case; it is listed in discovery
 * with the union of their prefetch, and takes feedback on the cards it issued.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PerHookServicesTest {

    @LocalServerPort
    int port;

    @Autowired
    RuleCatalog catalog;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @TestFactory
    Stream<DynamicTest> perHookServiceGivesTheSameCardsAsItsRulesOneByOne() {
        CdsClient client = new CdsClient(port);
        return HookCase.all().stream().map(hookCase -> DynamicTest.dynamicTest(hookCase.displayName(), () -> {
            ServiceGroup group = groupOf(hookCase);
            ObjectNode request = withEveryPrefetchKeyOf(group, hookCase);

            var together = client.post("/cds-services/" + group.id(), request);
            assertThat(together.status()).as(together.body()).isEqualTo(200);
            CardRules.assertValidResponse(together.json());

            List<String> oneByOne = new ArrayList<>();
            for (CdsService member : group.members()) {
                var reply = client.post("/cds-services/" + member.id(), request);
                assertThat(reply.status()).as(member.id() + ": " + reply.body()).isEqualTo(200);
                oneByOne.addAll(cards(reply.json()));
            }
            assertThat(cards(together.json())).containsExactlyInAnyOrderElementsOf(oneByOne);
            hookCase.expected().get("cards").forEach(expected -> assertThat(cards(together.json()))
                    .anyMatch(card -> card.startsWith(expected.get("indicator").asText() + " ")
                            && card.contains(expected.get("summaryContains").asText())));
        }));
    }

    @Test
    void discoveryListsOneServicePerHookWithTheUnionOfItsRulesPrefetch() {
        JsonNode services = new CdsClient(port).get("/cds-services").json().get("services");
        for (ServiceGroup group : catalog.groups()) {
            JsonNode listed = null;
            for (JsonNode service : services) {
                if (service.get("id").asText().equals(group.id())) {
                    listed = service;
                }
            }
            assertThat(listed).as(group.id()).isNotNull();
            assertThat(listed.get("hook").asText()).isEqualTo(group.hook().id());
            for (CdsService member : group.members()) {
                member.prefetch().keySet().forEach(key -> assertThat(group.prefetch()).containsKey(key));
            }
        }
        assertThat(catalog.groups()).extracting(ServiceGroup::id)
                .containsExactlyInAnyOrder("leg-cramps-patient-view", "leg-cramps-order-select", "leg-cramps-order-sign");
    }

    @Test
    void feedbackOnACardOfThePerHookServiceIsStoredAsAKnownCard() {
        CdsClient client = new CdsClient(port);
        HookCaseSpec quinine = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps");
        ServiceGroup group = groupOf(quinine);
        JsonNode card = client.post("/cds-services/" + group.id(), withEveryPrefetchKeyOf(group, quinine)).json().get("cards").get(0);

        var reply = client.post("/cds-services/" + group.id() + "/feedback", "{\"feedback\":[{\"card\":\"" + card.get("uuid").asText()
                + "\",\"outcome\":\"overridden\",\"outcomeTimestamp\":\"2026-12-01T10:00:00Z\"}]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT unknown_card FROM card_feedback WHERE card_uuid = ?", Boolean.class,
                card.get("uuid").asText())).as("feedback is about a card the service issued").isFalse();
    }

    private ServiceGroup groupOf(HookCaseSpec hookCase) {
        String hook = catalog.service(hookCase.service()).orElseThrow().hook().id();
        return catalog.group(RuleCatalog.SERVICE_GROUP_PREFIX + hook).orElseThrow();
    }

    /** The case's request, with every key the per-hook service asks for: the ones it lacks as empty searchsets. */
    private static ObjectNode withEveryPrefetchKeyOf(ServiceGroup group, HookCaseSpec hookCase) {
        ObjectNode request = hookCase.request().deepCopy();
        ObjectNode prefetch = request.with("prefetch");
        for (Map.Entry<String, String> template : group.prefetch().entrySet()) {
            if (!prefetch.has(template.getKey())) {
                prefetch.putObject(template.getKey()).put("resourceType", "Bundle").put("type", "searchset").putArray("entry");
            }
        }
        return request;
    }

    private static List<String> cards(JsonNode response) {
        List<String> cards = new ArrayList<>();
        response.get("cards").forEach(card -> {
            List<String> actions = new ArrayList<>();
            card.path("suggestions").forEach(s -> s.path("actions").forEach(a -> actions.add(a.get("type").asText())));
            cards.add(card.get("indicator").asText() + " " + card.get("summary").asText() + " " + actions);
        });
        return cards;
    }
}
