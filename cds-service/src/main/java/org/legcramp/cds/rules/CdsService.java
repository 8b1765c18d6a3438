package org.legcramp.cds.rules;

import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.hooks.Hook;

/**
 * One CDS service: a PlanDefinition (eca-rule) whose actions share a named-event trigger. Its id is the
 * PlanDefinition id, its hook the trigger's name, its logic the PlanDefinition's CQL library and
 * its prefetch the data that library retrieves, and its data needs what of that data it can read.
 */
public record CdsService(
        String id,
        Hook hook,
        String title,
        String description,
        String libraryName,
        Map<String, String> prefetch,
        DataNeeds dataNeeds,
        PlanDefinition planDefinition) {

    /** The rule this service belongs to: its id without the hook suffix. */
    public String ruleId() {
        return ruleIdOf(id);
    }

    /** The rule of a service id ({@code quinine-for-cramps-order-sign}): the id without its hook suffix. */
    public static String ruleIdOf(String serviceId) {
        return Arrays.stream(Hook.values()).map(hook -> "-" + hook.id()).filter(serviceId::endsWith).findFirst()
                .map(suffix -> serviceId.substring(0, serviceId.length() - suffix.length()))
                .orElse(serviceId);
    }

    /** The top-level actions: each is one finding, and gives at most one card. */
    public List<PlanDefinition.PlanDefinitionActionComponent> actions() {
        return planDefinition.getAction();
    }

    /**
     * The defines the cards read: each action's condition and dynamic values, and its suggestions'
     * dynamic values. A hook call evaluates only these (and what they reference), not the whole library.
     */
    public Set<String> definesUsed() {
        Set<String> defines = new LinkedHashSet<>(conditionDefines());
        actions().forEach(action -> defines.addAll(cardDefines(action)));
        return defines;
    }

    /**
     * This service's defines for one patient, as a hook call needs them: the conditions first, then
     * the card defines of the actions that apply; the other defines are not evaluated.
     */
    public CqlEvaluator.Evaluation evaluateForCards(CqlEvaluator evaluator, String patientId,
            Collection<? extends Resource> data, ZonedDateTime now) {
        return evaluator.evaluate(libraryName, patientId, data, now, Map.of(), conditionDefines(),
                this::cardDefinesOfApplyingActions, false);
    }

    /** As above, on the data a hook call shares among the rules it evaluates (CqlEvaluator.share). */
    public CqlEvaluator.Evaluation evaluateForCards(CqlEvaluator evaluator, CqlEvaluator.SharedCall call) {
        return evaluator.evaluate(libraryName, call, conditionDefines(), this::cardDefinesOfApplyingActions);
    }

    /** The defines that decide which actions apply: the first thing a hook call evaluates. */
    public Set<String> conditionDefines() {
        Set<String> defines = new LinkedHashSet<>();
        for (PlanDefinition.PlanDefinitionActionComponent action : actions()) {
            action.getCondition().forEach(condition -> defines.add(condition.getExpression().getExpression()));
        }
        return defines;
    }

    /**
     * The defines the card of an applying action reads (its detail, its suggestions' targets);
     * evaluated only for the actions that apply, since most calls give no card.
     */
    public Set<String> cardDefines(PlanDefinition.PlanDefinitionActionComponent action) {
        Set<String> defines = new LinkedHashSet<>();
        action.getDynamicValue().forEach(value -> defines.add(value.getExpression().getExpression()));
        for (PlanDefinition.PlanDefinitionActionComponent suggestion : action.getAction()) {
            suggestion.getDynamicValue().forEach(value -> defines.add(value.getExpression().getExpression()));
        }
        return defines;
    }

    /** The card defines of the actions whose condition is true in {@code conditionValues}. */
    public Set<String> cardDefinesOfApplyingActions(Map<String, Object> conditionValues) {
        Set<String> defines = new LinkedHashSet<>();
        for (PlanDefinition.PlanDefinitionActionComponent action : actions()) {
            if (applies(action, conditionValues)) {
                defines.addAll(cardDefines(action));
            }
        }
        return defines;
    }

    /** An action applies when every condition of it is true (false and null do not apply). */
    public static boolean applies(PlanDefinition.PlanDefinitionActionComponent action, Map<String, Object> values) {
        return action.hasCondition() && action.getCondition().stream()
                .allMatch(condition -> Boolean.TRUE.equals(values.get(condition.getExpression().getExpression())));
    }
}
