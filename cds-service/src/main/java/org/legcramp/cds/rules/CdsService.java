package org.legcramp.cds.rules;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.PlanDefinition;
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
        return id.endsWith("-" + hook.id()) ? id.substring(0, id.length() - hook.id().length() - 1) : id;
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
        Set<String> defines = new LinkedHashSet<>();
        for (PlanDefinition.PlanDefinitionActionComponent action : actions()) {
            action.getCondition().forEach(condition -> defines.add(condition.getExpression().getExpression()));
            action.getDynamicValue().forEach(value -> defines.add(value.getExpression().getExpression()));
            for (PlanDefinition.PlanDefinitionActionComponent suggestion : action.getAction()) {
                suggestion.getDynamicValue().forEach(value -> defines.add(value.getExpression().getExpression()));
            }
        }
        return defines;
    }
}
