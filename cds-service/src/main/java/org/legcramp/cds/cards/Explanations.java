package org.legcramp.cds.cards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.elm.r1.And;
import org.hl7.elm.r1.Exists;
import org.hl7.elm.r1.Expression;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.ExpressionRef;
import org.hl7.elm.r1.FunctionDef;
import org.hl7.elm.r1.FunctionRef;
import org.hl7.elm.r1.If;
import org.hl7.elm.r1.Literal;
import org.hl7.elm.r1.Not;
import org.hl7.elm.r1.Or;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.CqlEvaluator.Evaluation;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.CqlValues;
import org.legcramp.cds.rules.CdsService;

/**
 * Why a rule's cards fired or did not, the one home for every reader of it: a card's explanation
 * ({@code explain=true}), a silent call's, the workbench and {@code ./cql-test}. It says when the
 * rule was evaluated ("now") and with which parameter values; each card's deciding define and its
 * value; for a card that did not fire, which parts of its condition were false or null; and the
 * resources behind the condition with their dates (a Condition's onset, an order's authoredOn).
 */
public final class Explanations {

    /** The elements that date a resource, in the order they are shown; a type has a few of them. */
    private static final List<String> DATE_ELEMENTS = List.of("onset[x]", "abatement[x]", "recordedDate", "authoredOn",
            "effective[x]", "issued", "performed[x]", "dateAsserted", "occurrence[x]", "period");

    /** The names of the elements an explanation dates a resource by (so that they are parsed). */
    public static final Set<String> DATING_ELEMENTS = DATE_ELEMENTS.stream().map(e -> e.replace("[x]", ""))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private Explanations() {}

    /** Why one card came: the defines its action names, and when and with what the rule was evaluated. */
    public static Map<String, Object> of(PlanDefinitionActionComponent action, Evaluation evaluation) {
        Map<String, Object> explanation = new LinkedHashMap<>();
        explanation.put("library", evaluation.libraryName());
        explanation.put("evaluatedAt", evaluation.evaluatedAt().toOffsetDateTime().toString());
        // A card's extension carries no empty lists (CDS Hooks clients read an empty value as an error).
        putUnlessEmpty(explanation, "parameters", parameters(evaluation));
        explanation.put("defines", actionDefines(action, evaluation));
        if (!CdsService.applies(action, evaluation.values())) {
            putUnlessEmpty(explanation, "notMet", notMet(condition(action), evaluation));
        }
        LinkedHashSet<String> lines = new LinkedHashSet<>();
        lines.add(evaluatedWith(evaluation));
        addActionLines(action, evaluation, lines);
        explanation.put("why", List.copyOf(lines));
        return explanation;
    }

    /**
     * Why no card came: for each action of the service whose condition did not hold, the service,
     * the card's summary, the defines its action names, and the parts of its condition that were
     * false or null.
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

    /**
     * A whole rule at once, as the workbench shows it: when and with what it ran, each card fired
     * or not with its condition, and every define of the library once (not once per card).
     */
    public static Map<String, Object> ofService(CdsService service, Evaluation evaluation) {
        Map<String, Object> explanation = new LinkedHashMap<>();
        explanation.put("library", evaluation.libraryName());
        explanation.put("evaluatedAt", evaluation.evaluatedAt().toOffsetDateTime().toString());
        explanation.put("parameters", parameters(evaluation));
        List<Map<String, Object>> cards = new ArrayList<>();
        for (PlanDefinitionActionComponent action : service.actions()) {
            String condition = condition(action);
            boolean fired = CdsService.applies(action, evaluation.values());
            Map<String, Object> card = new LinkedHashMap<>();
            card.put("summary", action.getTitle());
            card.put("fired", fired);
            card.put("condition", condition);
            card.put("conditionValue", CqlValues.plain(evaluation.values().get(condition)));
            card.put("evidence", evidence(condition, evaluation));
            card.put("notMet", fired ? List.of() : notMet(condition, evaluation));
            cards.add(card);
        }
        explanation.put("cards", cards);
        List<Map<String, Object>> defines = new ArrayList<>();
        evaluation.values().forEach((name, value) -> {
            if (!"Patient".equals(name)) {
                Map<String, Object> define = new LinkedHashMap<>();
                define.put("name", name);
                define.put("value", CqlValues.plain(value));
                define.put("evidence", evidence(name, evaluation));
                defines.add(define);
            }
        });
        explanation.put("defines", defines);
        explanation.put("why", lines(service, evaluation));
        return explanation;
    }

    /**
     * The same for people, a line each, no line twice: when and with which parameter values; per
     * card, fired or not with its condition's value; for a card that did not fire, what in the
     * condition was false or null; what the condition read, with dates.
     */
    public static List<String> lines(CdsService service, Evaluation evaluation) {
        LinkedHashSet<String> lines = new LinkedHashSet<>();
        lines.add(evaluatedWith(evaluation));
        service.actions().forEach(action -> addActionLines(action, evaluation, lines));
        return List.copyOf(lines);
    }

    /** "CrampsWithDvtSigns evaluated at 2026-12-01T09:00Z with Recent Window = 30 days (default)". */
    public static String evaluatedWith(Evaluation evaluation) {
        List<String> parameters = parameters(evaluation).stream()
                .map(p -> p.get("name") + " = " + p.get("value") + " (" + p.get("source") + ")").toList();
        return evaluation.libraryName() + " evaluated at " + evaluation.evaluatedAt().toOffsetDateTime()
                + (parameters.isEmpty() ? " (no parameters)" : " with " + String.join(", ", parameters));
    }

    private static void addActionLines(PlanDefinitionActionComponent action, Evaluation evaluation, Set<String> lines) {
        String condition = condition(action);
        boolean fired = CdsService.applies(action, evaluation.values());
        lines.add((fired ? "fired: " : "did not fire: ") + "\"" + action.getTitle() + "\": \"" + condition + "\" is "
                + render(evaluation.values().get(condition)) + (fired ? "" : " (a card needs true)"));
        if (!fired) {
            for (Map<String, Object> part : notMet(condition, evaluation)) {
                lines.add(NOT_SHOWN.equals(part.get("value"))
                        ? "  perhaps " + part.get("expression") + (part.containsKey("so") ? " then " + part.get("so") : "")
                                + " (not shown: it reads an included library or calls a function)"
                        : "  because " + part.get("expression") + " is " + part.get("value")
                                + (part.containsKey("so") ? ", so " + part.get("so") : ""));
            }
        }
        List<String> read = evidence(condition, evaluation).stream()
                .map(e -> e.get("resource") + (e.containsKey("dates") ? " (" + e.get("dates") + ")" : "")).toList();
        lines.add("  \"" + condition + "\" read " + (read.isEmpty() ? "no resources" : String.join(", ", read)));
    }

    private static String condition(PlanDefinitionActionComponent action) {
        return action.getConditionFirstRep().getExpression().getExpression();
    }

    private static List<Map<String, Object>> actionDefines(PlanDefinitionActionComponent action, Evaluation evaluation) {
        List<Map<String, Object>> defines = new ArrayList<>();
        defines.add(define("condition", condition(action), evaluation));
        action.getDynamicValue().forEach(value -> defines.add(define(
                CardBuilder.DETAIL_PATH.equals(value.getPath()) ? "detail" : value.getPath(),
                value.getExpression().getExpression(), evaluation)));
        for (PlanDefinitionActionComponent sub : action.getAction()) {
            sub.getDynamicValue().forEach(value ->
                    defines.add(define("suggestion: " + sub.getTitle(), value.getExpression().getExpression(), evaluation)));
        }
        return defines;
    }

    private static Map<String, Object> define(String role, String name, Evaluation evaluation) {
        Map<String, Object> define = new LinkedHashMap<>();
        define.put("name", name);
        define.put("role", role);
        Object value = CqlValues.plain(evaluation.value(name));
        if (value != null) {
            define.put("value", value);
        }
        define.put("resources", evaluation.resourcesBehind().getOrDefault(name, List.of()));
        putUnlessEmpty(define, "evidence", evidence(name, evaluation));
        return define;
    }

    private static void putUnlessEmpty(Map<String, Object> map, String key, List<?> list) {
        if (!list.isEmpty()) {
            map.put(key, list);
        }
    }

    // ---- parameters

    /** Each parameter of the library with the value it had: the one given, or the default as its CQL writes it. */
    private static List<Map<String, Object>> parameters(Evaluation evaluation) {
        CqlLibraries libraries = evaluation.libraries();
        Map<String, String> defaults = libraries.parameterDefaults(evaluation.libraryName());
        List<Map<String, Object>> parameters = new ArrayList<>();
        for (String name : libraries.parameterTypes(evaluation.libraryName()).keySet()) {
            boolean given = evaluation.parameters().containsKey(name);
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", name);
            parameter.put("value", given ? String.valueOf(CqlValues.plain(evaluation.parameters().get(name)))
                    : String.valueOf(defaults.get(name)));
            parameter.put("source", given ? "given" : "default");
            parameters.add(parameter);
        }
        return parameters;
    }

    // ---- resources and their dates

    /** The resources a define read, each with the dates that place it in time. */
    private static List<Map<String, Object>> evidence(String define, Evaluation evaluation) {
        Map<String, Map<String, Object>> byId = new java.util.TreeMap<>();
        for (Object read : evaluation.evaluatedResources().getOrDefault(define, Set.of())) {
            if (read instanceof Resource resource) {
                String id = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
                byId.computeIfAbsent(id, i -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("resource", i);
                    String dates = dates(resource);
                    if (!dates.isEmpty()) {
                        entry.put("dates", dates);
                    }
                    return entry;
                });
            }
        }
        return List.copyOf(byId.values());
    }

    /** "onset 2026-11-20, recordedDate 2026-11-21": the resource's dating elements that have a value. */
    private static String dates(Resource resource) {
        List<String> dates = new ArrayList<>();
        for (String element : DATE_ELEMENTS) {
            Property property = resource.getNamedProperty(element);
            if (property == null || !property.hasValues()) {
                continue;
            }
            for (Base value : property.getValues()) {
                String date = value instanceof BaseDateTimeType dateTime ? dateTime.getValueAsString()
                        : value instanceof Period period && period.hasStart() ? period.getStartElement().getValueAsString()
                        : null;
                if (date != null) {
                    dates.add(element.replace("[x]", "") + " " + date);
                }
            }
        }
        return String.join(", ", dates);
    }

    // ---- what in a condition was false

    private enum Truth { TRUE, FALSE, NULL, UNKNOWN }

    /** A part whose value the explanation cannot read: it calls a function or reads an included library's define. */
    static final String NOT_SHOWN = "not shown";

    /**
     * The parts of a condition define that made it false or null: the operands of its "and"s that
     * were false or null (and, for an operand that names a define, that define's own parts), the
     * branch an "if" took. Read from the ELM and the values of the library's defines; a part whose
     * value is not among them (an included library's define, a function) is not guessed at: when
     * no part is known false, those parts are listed as not shown.
     */
    private static List<Map<String, Object>> notMet(String condition, Evaluation evaluation) {
        List<Map<String, Object>> parts = new ArrayList<>();
        ExpressionDef def = expressionDef(evaluation, condition);
        Truth value = truth(evaluation.values().get(condition));
        if (def != null && (value == Truth.FALSE || value == Truth.NULL)) {
            explainPart(def.getExpression(), value, evaluation, parts, 0);
        }
        return parts;
    }

    private static void explainPart(Expression expression, Truth value, Evaluation evaluation,
            List<Map<String, Object>> parts, int depth) {
        if (depth > 3) {
            return;
        }
        if (expression instanceof And and) {
            List<Expression> unknown = new ArrayList<>();
            boolean found = false;
            for (Expression operand : operands(and)) {
                Truth operandValue = truth(operand, evaluation);
                if (operandValue == Truth.FALSE || operandValue == Truth.NULL) {
                    found = true;
                    addPart(operand, operandValue, null, evaluation, parts);
                    explainReferenced(operand, operandValue, evaluation, parts, depth);
                } else if (operandValue == Truth.UNKNOWN) {
                    unknown.add(operand);
                }
            }
            if (!found) {
                // The false part is among those read from an included library or a function: name them, not one guess.
                unknown.forEach(operand -> addPart(operand, Truth.UNKNOWN, null, evaluation, parts));
            }
        } else if (expression instanceof Or or) {
            for (Expression operand : or.getOperand()) {
                addPart(operand, truth(operand, evaluation), null, evaluation, parts);
            }
        } else if (expression instanceof If choice) {
            Truth test = truth(choice.getCondition(), evaluation);
            Truth then = truth(choice.getThen(), evaluation);
            Truth otherwise = truth(choice.getElse(), evaluation);
            // A test whose value is not known (it reads an included library) is known when only one branch can give the result.
            boolean thenTaken = test == Truth.TRUE
                    || (test == Truth.UNKNOWN && then == value && otherwise != Truth.UNKNOWN && otherwise != value);
            boolean elseTaken = test == Truth.FALSE || test == Truth.NULL
                    || (test == Truth.UNKNOWN && otherwise == value && then != Truth.UNKNOWN && then != value);
            if (thenTaken) {
                addPart(choice.getCondition(), Truth.TRUE, sourceText(evaluation, choice.getThen()), evaluation, parts);
                explainPart(choice.getThen(), value, evaluation, parts, depth + 1);
            } else if (elseTaken) {
                explainPart(choice.getElse(), value, evaluation, parts, depth + 1);
            } else {
                addPart(choice.getCondition(), Truth.UNKNOWN, sourceText(evaluation, choice.getThen()), evaluation, parts);
                explainPart(choice.getElse(), value, evaluation, parts, depth + 1);
            }
        } else {
            explainReferenced(expression, value, evaluation, parts, depth);
        }
    }

    /** An operand that names a boolean define of the library: that define's own false or null parts. */
    private static void explainReferenced(Expression operand, Truth value, Evaluation evaluation,
            List<Map<String, Object>> parts, int depth) {
        if (operand instanceof ExpressionRef ref && !(ref instanceof FunctionRef) && ref.getLibraryName() == null) {
            ExpressionDef def = expressionDef(evaluation, ref.getName());
            if (def != null) {
                explainPart(def.getExpression(), value, evaluation, parts, depth + 1);
            }
        }
    }

    private static void addPart(Expression part, Truth value, String so, Evaluation evaluation, List<Map<String, Object>> parts) {
        String text = sourceText(evaluation, part);
        if (text == null) {
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("expression", text.replaceAll("\\s+", " "));
        entry.put("value", value == Truth.UNKNOWN ? NOT_SHOWN : value.name().toLowerCase(java.util.Locale.ROOT));
        if (so != null) {
            entry.put("so", so);
        }
        if (parts.stream().noneMatch(p -> p.get("expression").equals(entry.get("expression")))) {
            parts.add(entry);
        }
    }

    private static List<Expression> operands(And and) {
        List<Expression> flat = new ArrayList<>();
        for (Expression operand : and.getOperand()) {
            if (operand instanceof And nested) {
                flat.addAll(operands(nested));
            } else {
                flat.add(operand);
            }
        }
        return flat;
    }

    /** A boolean expression's value from the defines' values, where it can be read from them. */
    private static Truth truth(Expression expression, Evaluation evaluation) {
        if (expression instanceof ExpressionRef ref && !(ref instanceof FunctionRef) && ref.getLibraryName() == null) {
            return evaluation.values().containsKey(ref.getName()) ? truth(evaluation.values().get(ref.getName())) : Truth.UNKNOWN;
        }
        if (expression instanceof Exists exists) {
            if (exists.getOperand() instanceof ExpressionRef ref && !(ref instanceof FunctionRef) && ref.getLibraryName() == null
                    && evaluation.values().containsKey(ref.getName())) {
                Object list = evaluation.values().get(ref.getName());
                return list == null ? Truth.FALSE : list instanceof Iterable<?> items
                        ? (items.iterator().hasNext() ? Truth.TRUE : Truth.FALSE) : Truth.UNKNOWN;
            }
            return Truth.UNKNOWN;
        }
        if (expression instanceof Not not) {
            Truth operand = truth(not.getOperand(), evaluation);
            return operand == Truth.TRUE ? Truth.FALSE : operand == Truth.FALSE ? Truth.TRUE : operand;
        }
        if (expression instanceof And and) {
            List<Truth> values = and.getOperand().stream().map(o -> truth(o, evaluation)).toList();
            return values.contains(Truth.FALSE) ? Truth.FALSE : values.contains(Truth.UNKNOWN) ? Truth.UNKNOWN
                    : values.contains(Truth.NULL) ? Truth.NULL : Truth.TRUE;
        }
        if (expression instanceof Or or) {
            List<Truth> values = or.getOperand().stream().map(o -> truth(o, evaluation)).toList();
            return values.contains(Truth.TRUE) ? Truth.TRUE : values.contains(Truth.UNKNOWN) ? Truth.UNKNOWN
                    : values.contains(Truth.NULL) ? Truth.NULL : Truth.FALSE;
        }
        if (expression instanceof If choice) {
            Truth test = truth(choice.getCondition(), evaluation);
            if (test == Truth.TRUE) {
                return truth(choice.getThen(), evaluation);
            }
            if (test == Truth.FALSE || test == Truth.NULL) {
                return truth(choice.getElse(), evaluation);
            }
            Truth then = truth(choice.getThen(), evaluation);
            return then == truth(choice.getElse(), evaluation) ? then : Truth.UNKNOWN;
        }
        if (expression instanceof Literal literal && literal.getValueType() != null
                && "Boolean".equals(literal.getValueType().getLocalPart())) {
            return Boolean.parseBoolean(literal.getValue()) ? Truth.TRUE : Truth.FALSE;
        }
        return Truth.UNKNOWN;
    }

    private static Truth truth(Object value) {
        return value == null ? Truth.NULL : value instanceof Boolean b ? (b ? Truth.TRUE : Truth.FALSE) : Truth.UNKNOWN;
    }

    private static ExpressionDef expressionDef(Evaluation evaluation, String name) {
        var statements = evaluation.libraries().elm(evaluation.libraryName()).getStatements();
        if (statements == null) {
            return null;
        }
        return statements.getDef().stream().filter(d -> !(d instanceof FunctionDef) && d.getName().equals(name))
                .findFirst().orElse(null);
    }

    private static String sourceText(Evaluation evaluation, Expression expression) {
        return evaluation.libraries().sourceText(evaluation.libraryName(), expression);
    }

    private static String render(Object value) {
        Object plain = CqlValues.plain(value);
        return plain == null ? "null" : plain instanceof String text ? "\"" + text + "\"" : String.valueOf(plain);
    }
}
