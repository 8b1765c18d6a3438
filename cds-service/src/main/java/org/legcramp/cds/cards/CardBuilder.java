package org.legcramp.cds.cards;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionDynamicValueComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * Maps a PlanDefinition action and its CQL results to a CDS Hooks card, reading the action the way
 * {@code PlanDefinition/$apply} (HL7 CPG) does, then mapping the applied action as CPG's CDS Hooks
 * mapping does: {@code title} → summary; {@code description} → detail, where a
 * {@code dynamicValue} with path {@code action.description} (this patient) replaces it when its
 * define gives a text; {@code priority} → indicator; the first {@code documentation} → source and
 * every other one → a link; sub-actions → suggestions ("remove" deletes the orders whose references
 * the {@code action.resource} dynamic value gives, "create" proposes the resource of an
 * ActivityDefinition, with the sub-action's dynamic values on its elements, e.g. {@code status}); override-reason extensions → overrideReasons (a CDS Hooks field with no
 * counterpart in the CPG mapping).
 */
public final class CardBuilder {

    /** The dynamicValue path that gives the card detail (RequestGroup.action.description). */
    public static final String DETAIL_PATH = "action.description";
    /** The dynamicValue path of a remove suggestion that gives the orders to delete (RequestGroup.action.resource). */
    public static final String DELETE_TARGET_PATH = "action.resource";

    private final RuleCatalog catalog;
    private final FhirContext fhirContext;
    private final ObjectMapper json = new ObjectMapper();

    public CardBuilder(RuleCatalog catalog, FhirContext fhirContext) {
        this.catalog = catalog;
        this.fhirContext = fhirContext;
    }

    /**
     * One card per action whose condition is true for this patient.
     *
     * @param serviceBaseUrl where this service is reached, to make its own pages (patient education) absolute links
     * @param explain add to each card the defines that decided it, their values and the resources behind them
     */
    public List<Card> cards(CdsService service, Evaluation evaluation, String patientId, URI serviceBaseUrl,
            boolean explain) {
        List<Card> cards = new ArrayList<>();
        for (PlanDefinitionActionComponent action : service.actions()) {
            if (CdsService.applies(action, evaluation.values())) {
                cards.add(card(action, evaluation, patientId, serviceBaseUrl,
                        explain ? Map.of(Card.EXPLANATION, Explanations.of(action, evaluation)) : null));
            }
        }
        return cards;
    }

    private Card card(PlanDefinitionActionComponent action, Evaluation evaluation, String patientId, URI serviceBaseUrl,
            Map<String, Object> extension) {
        List<Card.Suggestion> suggestions = suggestions(action, evaluation, patientId);
        RelatedArtifact primary = action.getDocumentationFirstRep();
        List<Card.Link> links = action.getDocumentation().stream().skip(1)
                .map(reference -> new Card.Link(labelOf(reference), serviceBaseUrl.resolve(reference.getUrl()).toString(), "absolute"))
                .toList();
        return new Card(
                UUID.randomUUID().toString(),
                action.getTitle(),
                detail(action, evaluation),
                Indicators.of(action.getPriority()),
                new Card.Source(labelOf(primary), primary.getUrl()),
                suggestions,
                suggestions.isEmpty() ? null : selectionBehavior(action),
                overrideReasons(action),
                links,
                extension);
    }

    /** A citation's name, with its evidence grade where the source gives one. */
    private static String labelOf(RelatedArtifact reference) {
        Extension grade = reference.getExtensionByUrl(RuleCatalog.EVIDENCE_GRADE_EXTENSION);
        return grade == null ? reference.getDisplay() : reference.getDisplay() + " (" + grade.getValue().primitiveValue() + ")";
    }

    /** As $apply: the last dynamic value on {@code action.description} that gives a text wins over the static one. */
    private static String detail(PlanDefinitionActionComponent action, Evaluation evaluation) {
        String detail = action.getDescription();
        for (PlanDefinitionActionDynamicValueComponent value : action.getDynamicValue()) {
            if (DETAIL_PATH.equals(value.getPath())
                    && evaluation.value(value.getExpression().getExpression()) instanceof String text && !text.isBlank()) {
                detail = text;
            }
        }
        return detail;
    }

    private static String selectionBehavior(PlanDefinitionActionComponent action) {
        return action.hasSelectionBehavior() ? action.getSelectionBehavior().toCode() : "at-most-one";
    }

    private static List<org.legcramp.cds.hooks.wire.Coding> overrideReasons(PlanDefinitionActionComponent action) {
        List<org.legcramp.cds.hooks.wire.Coding> reasons = new ArrayList<>();
        for (Extension extension : action.getExtensionsByUrl(RuleCatalog.OVERRIDE_REASON_EXTENSION)) {
            Coding coding = (Coding) extension.getValue();
            reasons.add(new org.legcramp.cds.hooks.wire.Coding(coding.getSystem(), coding.getCode(), coding.getDisplay()));
        }
        return reasons;
    }

    private List<Card.Suggestion> suggestions(PlanDefinitionActionComponent action, Evaluation evaluation, String patientId) {
        List<Card.Suggestion> suggestions = new ArrayList<>();
        for (PlanDefinitionActionComponent sub : action.getAction()) {
            String type = sub.getType().getCodingFirstRep().getCode();
            List<Card.Action> actions = "remove".equals(type)
                    ? deleteActions(sub, evaluation)
                    : List.of(createAction(sub, evaluation, patientId));
            if (!actions.isEmpty()) {
                suggestions.add(new Card.Suggestion(sub.getTitle(), UUID.randomUUID().toString(), actions));
            }
        }
        return suggestions;
    }

    private static List<Card.Action> deleteActions(PlanDefinitionActionComponent sub, Evaluation evaluation) {
        PlanDefinitionActionDynamicValueComponent target = sub.getDynamicValue().stream()
                .filter(value -> DELETE_TARGET_PATH.equals(value.getPath())).findFirst().orElseThrow();
        Object value = evaluation.value(target.getExpression().getExpression());
        List<Card.Action> actions = new ArrayList<>();
        Iterable<?> resources = value instanceof Iterable<?> many ? many : (value == null ? List.of() : List.of(value));
        for (Object item : resources) {
            if (item instanceof Reference reference && reference.hasReference()) {
                actions.add(new Card.Action("delete", sub.getTitle(), null, reference.getReference()));
            }
        }
        return actions;
    }

    /**
     * The resource of the ActivityDefinition, then, as $apply does, the sub-action's dynamic values
     * on its elements (a path without {@code action.}, such as {@code status}).
     */
    private Card.Action createAction(PlanDefinitionActionComponent sub, Evaluation evaluation, String patientId) {
        ActivityDefinition definition = catalog.activityDefinition(sub.getDefinitionCanonicalType().getValue());
        Resource proposed = SuggestedResources.from(definition, new Reference("Patient/" + patientId));
        for (PlanDefinitionActionDynamicValueComponent value : sub.getDynamicValue()) {
            Object result = evaluation.value(value.getExpression().getExpression());
            if (result instanceof String text) {
                proposed.setProperty(value.getPath(), new CodeType(text));
            } else if (result instanceof Base element) {
                proposed.setProperty(value.getPath(), element);
            }
        }
        return new Card.Action("create", sub.getTitle(), toJson(proposed), null);
    }

    private JsonNode toJson(Resource resource) {
        try {
            return json.readTree(fhirContext.newJsonParser().encodeResourceToString(resource));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("HAPI wrote JSON that Jackson cannot read", e);
        }
    }
}
