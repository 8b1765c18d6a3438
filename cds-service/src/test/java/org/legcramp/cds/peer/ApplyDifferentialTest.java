package org.legcramp.cds.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.legcramp.cds.casetest.CaseRunner;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.contentpackage.ContentPackage;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.peer.ApplyPeer.PeerCard;

/**
 * Differential test: every hook case of fhir-resources/hook-cases runs on our engine (the service's
 * parser, assembler, evaluator and card builder, through {@link CaseRunner}) and on the reference
 * engine, cqf-fhir-cr {@code PlanDefinition/$apply} ({@link ApplyPeer}) over the FHIR package the
 * build wrote (fhir-resources/target/*.tgz, loaded as it is), at the same time on the same data.
 * The reference engine's cards must be the case's expected cards ({@link CardExpectations}), and
 * the same cards as ours, field by field: fire or silent, summary, indicator, detail, source,
 * links, selectionBehavior, and every suggestion with its label and its actions (type; the
 * resource to delete; the resource proposed for creation).
 *
 * <p>One thing we send cannot be expressed by {@code $apply}, and is left out of the comparison by
 * name ({@link #EXCEPTIONS}): override reasons. Nothing else is forgiven.
 */
class ApplyDifferentialTest {

    /** A card field our engine sends that the reference engine cannot express, and why. */
    record Exception(String cardField, String reason) {}

    static final List<Exception> EXCEPTIONS = List.of(new Exception("overrideReasons",
            "CDS Hooks 2.0 overrideReasons have no counterpart in a RequestGroup nor in the CDS Hooks mapping of"
                    + " $apply results (HL7 CPG, HAPI's CdsCrServiceR4): the engine copies our override-reason"
                    + " extensions onto RequestGroup.action, but no conformant mapping turns them into card fields"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplyPeer peer;
    private static CaseRunner ours;
    private static final Map<String, String> AGREE = new TreeMap<>();
    private static final Map<String, String> DIFFER = new TreeMap<>();
    private static int cards;
    private static int cardsWithOverrideReasons;

    @BeforeAll
    static void buildEngines() {
        Path root = Path.of("..");
        peer = ApplyPeer.fromPackage(ContentPackage.of(root));
        ours = new CaseRunner(root);
    }

    @AfterAll
    static void close() {
        ours.close();
        int total = AGREE.size() + DIFFER.size();
        StringBuilder report = new StringBuilder("\n$apply (cqf-fhir-cr 4.4.0, on the FHIR package) vs our engine on ")
                .append(total).append(" hook cases: ").append(AGREE.size()).append(" the same cards (")
                .append(cards).append(" cards: summary, indicator, detail, source, links, suggestions and their targets), ")
                .append(DIFFER.size()).append(" differ\n");
        DIFFER.forEach((name, why) -> report.append("    ").append(name).append(": ").append(why).append('\n'));
        for (Exception exception : EXCEPTIONS) {
            report.append("  not compared, ").append(exception.cardField()).append(" (on ").append(cardsWithOverrideReasons)
                    .append(" of our cards): ").append(exception.reason()).append('\n');
        }
        System.out.println(report);
    }

    @TestFactory
    Stream<DynamicTest> applyGivesOurCardsOnEveryHookCase() {
        List<HookCaseSpec> cases = CaseFiles.hookCases(Path.of(".."), null, null);
        assertThat(cases).as("hook cases").hasSizeGreaterThan(100);
        return cases.stream().map(hookCase -> DynamicTest.dynamicTest(hookCase.displayName(), () -> compare(hookCase)));
    }

    private static void compare(HookCaseSpec hookCase) {
        Instant now = Instant.now();
        List<Card> ourCards = ours.cards(hookCase, now);
        HookCaseData data = HookCaseData.of(hookCase.request(), peer.fhirContext());
        List<PeerCard> theirCards = peer.apply(hookCase.service(), data.patientId(), data.resources(),
                ZonedDateTime.ofInstant(now, ZoneOffset.UTC));
        List<String> issues = peer.lastIssues();

        JsonNode theirs = comparable(theirCards.stream().map(ApplyDifferentialTest::fromPeer).toList());
        JsonNode mine = comparable(ourCards.stream().map(ApplyDifferentialTest::fromOurs).toList());
        List<String> differences = new ArrayList<>(CardExpectations.differences(hookCase.expected().get("cards"), theirs));
        if (!mine.equals(theirs)) {
            List<String> where = new ArrayList<>();
            jsonDifferences("cards", mine, theirs, where);
            differences.add("ours vs $apply: " + String.join("; ", where));
        }
        cards += ourCards.size();
        cardsWithOverrideReasons += (int) ourCards.stream().filter(c -> c.overrideReasons() != null && !c.overrideReasons().isEmpty()).count();
        if (differences.isEmpty()) {
            AGREE.put(hookCase.displayName(), "");
        } else {
            DIFFER.put(hookCase.displayName(), differences.get(0));
        }
        assertThat(differences).as(hookCase.displayName() + ", $apply issues: " + issues).isEmpty();
    }

    // ---- both engines' cards in one shape (the CDS Hooks card fields we compare)

    private static ObjectNode fromOurs(Card card) {
        ObjectNode node = JSON.createObjectNode().put("summary", card.summary()).put("indicator", card.indicator())
                .put("detail", card.detail()).put("selectionBehavior", card.selectionBehavior());
        node.putObject("source").put("label", card.source().label()).put("url", card.source().url());
        ArrayNode links = node.putArray("links");
        card.links().forEach(link -> links.addObject().put("label", link.label()).put("url", link.url()));
        ArrayNode suggestions = node.putArray("suggestions");
        for (Card.Suggestion suggestion : card.suggestions()) {
            ArrayNode actions = suggestions.addObject().put("label", suggestion.label()).putArray("actions");
            for (Card.Action action : suggestion.actions()) {
                ObjectNode a = actions.addObject().put("type", action.type()).put("resourceId", action.resourceId());
                a.set("resource", proposed(action.resource()));
            }
        }
        return node;
    }

    private static ObjectNode fromPeer(PeerCard card) {
        ObjectNode node = JSON.createObjectNode().put("summary", card.summary()).put("indicator", card.indicator())
                .put("detail", card.detail())
                .put("selectionBehavior", card.suggestions().isEmpty() ? null : card.selectionBehavior());
        node.putObject("source").put("label", card.source().label()).put("url", card.source().url());
        ArrayNode links = node.putArray("links");
        card.links().forEach(link -> links.addObject().put("label", link.label())
                .put("url", CaseRunner.CARD_LINK_BASE.resolve(link.url()).toString()));
        ArrayNode suggestions = node.putArray("suggestions");
        for (ApplyPeer.PeerSuggestion suggestion : card.suggestions()) {
            ArrayNode actions = suggestions.addObject().put("label", suggestion.label()).putArray("actions");
            for (ApplyPeer.PeerAction action : suggestion.actions()) {
                ObjectNode a = actions.addObject().put("type", action.type()).put("resourceId", action.resourceId());
                a.set("resource", action.resource() == null ? null : proposed(toJson(action.resource())));
            }
        }
        return node;
    }

    /**
     * A proposed resource without what differs by nature between two engines: its id (each engine
     * names its own) and {@code meta}. Everything clinical (type, status, intent, subject, code or
     * product, dosage, the ActivityDefinition it instantiates) is compared.
     */
    private static JsonNode proposed(JsonNode resource) {
        if (resource == null || resource.isNull()) {
            return null;
        }
        ObjectNode copy = resource.deepCopy();
        copy.remove(List.of("id", "meta", "text"));
        return copy;
    }

    private static JsonNode toJson(org.hl7.fhir.r4.model.Resource resource) {
        try {
            return JSON.readTree(peer.fhirContext().newJsonParser().encodeResourceToString(resource));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where two JSON trees differ, as paths with both values. */
    private static void jsonDifferences(String path, JsonNode ours, JsonNode theirs, List<String> where) {
        if (ours == null || theirs == null || ours.getNodeType() != theirs.getNodeType()) {
            where.add(path + ": ours " + ours + ", $apply " + theirs);
        } else if (ours.isObject()) {
            var names = new java.util.TreeSet<String>();
            ours.fieldNames().forEachRemaining(names::add);
            theirs.fieldNames().forEachRemaining(names::add);
            names.forEach(name -> jsonDifferences(path + "." + name, ours.get(name), theirs.get(name), where));
        } else if (ours.isArray()) {
            if (ours.size() != theirs.size()) {
                where.add(path + ": ours " + ours.size() + " items " + ours + ", $apply " + theirs.size() + " items " + theirs);
            } else {
                for (int i = 0; i < ours.size(); i++) {
                    jsonDifferences(path + "[" + i + "]", ours.get(i), theirs.get(i), where);
                }
            }
        } else if (!ours.equals(theirs)) {
            where.add(path + ": ours " + ours + ", $apply " + theirs);
        }
    }

    /** Cards in summary order (an EHR shows them in any order). */
    private static JsonNode comparable(List<ObjectNode> cards) {
        ArrayNode array = JSON.createArrayNode();
        cards.stream().sorted(Comparator.comparing(c -> c.path("summary").asText())).forEach(array::add);
        return array;
    }
}
