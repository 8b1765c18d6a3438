package org.legcramp.cds.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.legcramp.cds.casetest.CardExpectations;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.peer.ApplyPeer.PeerCard;

/**
 * Differential test: the reference engine (cqf-fhir-cr {@code PlanDefinition/$apply}, see
 * {@link ApplyPeer}) runs every hook case of fhir-resources/hook-cases on the same patient data,
 * and its cards must be the case's expected cards (the ones our engine is held to by
 * HookCasesTest), by the same comparison ({@link CardExpectations}): fire or silent, number of
 * cards, indicator, words of the summary, and suggestion action types.
 *
 * <p>What {@code $apply} cannot express is listed in {@link #GAPS}, each with its reason; a gap
 * only forgives a difference on a case where the peer actually reported that limitation (in its
 * OperationOutcome), never a blanket skip. The agreement figures are printed at the end.
 */
class ApplyDifferentialTest {

    /** Something our engine does that {@code $apply} cannot express, and how the comparison allows for it. */
    record Gap(String name, String reason, String reportedIssue, String forgivenSuggestionAction) {}

    static final List<Gap> GAPS = List.of(
            new Gap("delete suggestions",
                    "our 'remove' sub-actions give the orders to delete by a dynamicValue on path 'resource' that"
                            + " returns resources; RequestGroup.action.resource is a Reference, which $apply cannot"
                            + " set from a resource, so the peer's suggestion carries no delete action",
                    "DynamicValue resolution for path resource", "delete"));
    // Not compared, so not a gap here: the card detail. Our 'detail' dynamicValue has no element to
    // land on in RequestGroup.action ("Unable to resolve path detail"), so the peer's detail is the
    // description alone.

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplyPeer peer;
    private static final Map<String, String> FULL = new TreeMap<>();
    private static final Map<String, String> WITH_GAP = new TreeMap<>();
    private static final Map<String, String> DIFFERENT = new TreeMap<>();

    @BeforeAll
    static void buildPeer() {
        peer = ApplyPeer.fromCheckout(Path.of(".."));
    }

    @TestFactory
    Stream<DynamicTest> applyGivesTheExpectedCardsOnEveryHookCase() {
        return CaseFiles.hookCases(Path.of(".."), null, null).stream()
                .map(hookCase -> DynamicTest.dynamicTest(hookCase.displayName(), () -> compare(hookCase)));
    }

    private static void compare(HookCaseSpec hookCase) {
        HookCaseData data = HookCaseData.of(hookCase.request(), peer.fhirContext());
        List<PeerCard> cards = peer.apply(hookCase.service(), data.patientId(), data.resources(),
                ZonedDateTime.now(ZoneOffset.UTC));
        List<String> issues = peer.lastIssues();
        JsonNode expected = hookCase.expected().get("cards");
        JsonNode actual = asCardsJson(cards);

        List<String> differences = CardExpectations.differences(expected, actual);
        if (differences.isEmpty()) {
            FULL.put(hookCase.displayName(), "");
            return;
        }
        List<String> gapsUsed = new ArrayList<>();
        JsonNode forgiven = expected;
        for (Gap gap : GAPS) {
            boolean reported = issues.stream().anyMatch(issue -> issue != null && issue.contains(gap.reportedIssue()));
            if (reported) {
                forgiven = withoutSuggestionAction(forgiven, gap.forgivenSuggestionAction());
                gapsUsed.add(gap.name());
            }
        }
        List<String> remaining = CardExpectations.differences(forgiven, actual);
        if (remaining.isEmpty() && !gapsUsed.isEmpty()) {
            WITH_GAP.put(hookCase.displayName(), String.join(", ", gapsUsed));
            return;
        }
        DIFFERENT.put(hookCase.displayName(), String.join("; ", remaining) + " (issues: " + issues + ")");
        assertThat(remaining).as(hookCase.displayName() + ", $apply issues: " + issues).isEmpty();
    }

    @AfterAll
    static void report() {
        int total = FULL.size() + WITH_GAP.size() + DIFFERENT.size();
        StringBuilder report = new StringBuilder("\n$apply (cqf-fhir-cr 4.4.0) vs expected cards on " + total + " hook cases:\n")
                .append("  agree fully (fire/silent, indicator, summary, suggestion types): ").append(FULL.size()).append('\n')
                .append("  agree except for a named gap: ").append(WITH_GAP.size()).append('\n');
        WITH_GAP.forEach((name, gaps) -> report.append("    ").append(name).append(": ").append(gaps).append('\n'));
        report.append("  differ: ").append(DIFFERENT.size()).append('\n');
        DIFFERENT.forEach((name, why) -> report.append("    ").append(name).append(": ").append(why).append('\n'));
        for (Gap gap : GAPS) {
            report.append("  gap \"").append(gap.name()).append("\": ").append(gap.reason()).append('\n');
        }
        System.out.println(report);
    }

    /** The peer's cards in the wire shape CardExpectations reads. */
    private static JsonNode asCardsJson(List<PeerCard> cards) {
        ArrayNode array = JSON.createArrayNode();
        for (PeerCard card : cards) {
            ObjectNode node = array.addObject().put("summary", card.summary()).put("indicator", card.indicator());
            ArrayNode suggestions = node.putArray("suggestions");
            card.suggestions().forEach(suggestion -> {
                ArrayNode actions = suggestions.addObject().put("label", suggestion.label()).putArray("actions");
                suggestion.actions().forEach(action -> actions.addObject().put("type", action.type()));
            });
        }
        return array;
    }

    private static JsonNode withoutSuggestionAction(JsonNode expectedCards, String type) {
        ArrayNode cards = JSON.createArrayNode();
        for (JsonNode card : expectedCards) {
            ObjectNode copy = card.deepCopy();
            if (copy.has("suggestionActions")) {
                ArrayNode kept = JSON.createArrayNode();
                copy.get("suggestionActions").forEach(a -> {
                    if (!a.asText().equals(type)) {
                        kept.add(a);
                    }
                });
                copy.set("suggestionActions", kept);
            }
            cards.add(copy);
        }
        return cards;
    }
}
