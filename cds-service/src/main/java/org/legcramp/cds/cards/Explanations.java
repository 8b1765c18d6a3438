package org.legcramp.cds.cards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.cql.CqlValues;

/**
 * Why a card fired: the defines its action names (the condition, the patient-specific detail, the
 * orders a suggestion removes), each with its value and the ids of the FHIR resources it read.
 */
public final class Explanations {

    private Explanations() {}

    public static Map<String, Object> of(PlanDefinitionActionComponent action, Evaluation evaluation) {
        Map<String, List<String>> behind = evaluation.resourcesBehind();
        List<Map<String, Object>> defines = new ArrayList<>();
        defines.add(define("condition", action.getConditionFirstRep().getExpression().getExpression(), evaluation, behind));
        action.getDynamicValue().forEach(value -> defines.add(define(
                CardBuilder.DETAIL_PATH.equals(value.getPath()) ? "detail" : value.getPath(),
                value.getExpression().getExpression(), evaluation, behind)));
        for (PlanDefinitionActionComponent sub : action.getAction()) {
            sub.getDynamicValue().forEach(value ->
                    defines.add(define("suggestion: " + sub.getTitle(), value.getExpression().getExpression(), evaluation, behind)));
        }
        Map<String, Object> explanation = new LinkedHashMap<>();
        explanation.put("library", evaluation.libraryName());
        explanation.put("defines", defines);
        return explanation;
    }

    /**
     * Why no card came: for each action of the service whose condition did not hold, the service,
     * the card's summary and the defines its action names, with their values and resources.
     */
    public static List<Map<String, Object>> ofSilence(CdsService service, Evaluation evaluation) {
        List<Map<String, Object>> silent = new ArrayList<>();
        for (PlanDefinitionActionComponent action : service.actions()) {
            if (!CdsService.applies(action, evaluation.values())) {
                Map<String, Object> explanation = new LinkedHashMap<>();
                explanation.put("service", service.id());
                explanation.put("summary", action.getTitle());
                explanation.putAll(of(action, evaluation));
                silent.add(explanation);
            }
        }
        return silent;
    }

    private static Map<String, Object> define(String role, String name, Evaluation evaluation,
            Map<String, List<String>> behind) {
        Map<String, Object> define = new LinkedHashMap<>();
        define.put("name", name);
        define.put("role", role);
        Object value = CqlValues.plain(evaluation.value(name));
        if (value != null) {
            define.put("value", value);
        }
        define.put("resources", behind.getOrDefault(name, List.of()));
        return define;
    }
}
