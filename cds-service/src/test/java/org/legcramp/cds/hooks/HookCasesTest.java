package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.legcramp.cds.casetest.CardExpectations;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.support.CardRules;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every hook case in fhir-resources/hook-cases, sent over HTTP to the running service with full
 * prefetch: the cards that come back are the expected ones, and each obeys the card rules.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HookCasesTest {

    @LocalServerPort
    int port;

    @TestFactory
    Stream<DynamicTest> everyHookCaseGetsItsExpectedCards() {
        CdsClient client = new CdsClient(port);
        return HookCase.all().stream().map(hookCase -> DynamicTest.dynamicTest(hookCase.displayName(), () -> {
            var reply = client.post("/cds-services/" + hookCase.service(), hookCase.request());
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            CardRules.assertValidResponse(reply.json());
            assertThat(CardExpectations.differences(hookCase.expected().get("cards"), reply.json().get("cards")))
                    .as(hookCase.displayName()).isEmpty();
            reply.json().get("cards").forEach(card -> assertThat(card.get("links"))
                    .as("every card links the patient education page")
                    .anyMatch(link -> link.get("url").asText().equals(educationPage())));
        }));
    }

    @Test
    void concurrentCallsToDifferentServicesEachGetTheirOwnCards() throws Exception {
        CdsClient client = new CdsClient(port);
        List<HookCaseSpec> cases = List.of(
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps"),
                HookCase.named("new-diuretic", "fires-one-card-each-for-thiazide-and-loop"),
                HookCase.named("liver-disease-cramps-baclofen", "silent-already-on-baclofen"),
                HookCase.named("persistent-unexplained-cramps", "fires-cramps-recorded-twice"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                HookCaseSpec hookCase = cases.get(i % cases.size());
                results.add(pool.submit(() -> CardExpectations.differences(hookCase.expected().get("cards"),
                        client.post("/cds-services/" + hookCase.service(), hookCase.request()).json().get("cards"))));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void patientEducationPageIsServed() {
        var reply = new CdsClient(port).get("/education/leg-cramps.html");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("During a cramp").contains("When to get medical help");
    }

    @Test
    void patientEducationPageSendsPulmonaryEmbolismSymptomsToEmergencyCareAndCautionsAboutPainkillers() {
        String page = new CdsClient(port).get("/education/leg-cramps.html").body();
        assertThat(page).contains("short of breath").contains("chest pain").contains("pulmonary embolism")
                .contains("emergency department");
        assertThat(page).contains("kidney or liver disease").contains("diuretic").contains("ACE inhibitor")
                .contains("blood thinner");
    }

    private String educationPage() {
        return "http://127.0.0.1:" + port + "/education/leg-cramps.html";
    }
}
