package org.legcramp.cds.rules;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.legcramp.cds.hooks.Hook;

/**
 * One CDS service: a PlanDefinition (eca-rule) whose actions share a named-event trigger. Its id is the
 * PlanDefinition id, its hook the trigger's name, its logic the PlanDefinition's CQL library and
 * its prefetch the data that library retrieves.
 */
public record CdsService(
        String id,
        Hook hook,
        String title,
        String description,
        String libraryName,
        Map<String, String> prefetch,
        PlanDefinition planDefinition) {

    /** The rule this service belongs to: its id without the hook suffix. */
    public String ruleId() {
        return id.endsWith("-" + hook.id()) ? id.substring(0, id.length() - hook.id().length() - 1) : id;
    }

    /** The top-level actions: each is one finding, and gives at most one card. */
    public List<PlanDefinition.PlanDefinitionActionComponent> actions() {
        return planDefinition.getAction();
    }
}
