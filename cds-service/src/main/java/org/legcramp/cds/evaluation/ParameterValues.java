package org.legcramp.cds.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.hooks.BadRequestException;
import org.opencds.cqf.cql.engine.runtime.Quantity;

/**
 * JSON values for a library's CQL parameters, checked against each parameter's declared type
 * before the engine sees them: a value of the wrong type is the caller's mistake (a 400 naming the
 * parameter and the type it takes), not an engine failure. Used by {@code POST /cql/evaluate} and
 * the workbench's parameter overrides.
 */
public final class ParameterValues {

    private ParameterValues() {}

    /**
     * @param values an object of parameter name to value: {@code true}, {@code 30}, {@code 30.0},
     *     {@code "text"}, or a quantity {@code {"value": 30, "unit": "days"}}; null for none
     * @return the values as the engine takes them; absent parameters keep their CQL defaults
     * @throws BadRequestException naming the parameter, its declared type and what was given
     */
    public static Map<String, Object> of(CqlLibraries libraries, String library, JsonNode values) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (values == null || values.isNull()) {
            return parameters;
        }
        if (!values.isObject()) {
            throw new BadRequestException("'parameters' must be an object of parameter name to value");
        }
        Map<String, String> types = libraries.parameterTypes(library);
        for (Map.Entry<String, JsonNode> entry : values.properties()) {
            String type = types.get(entry.getKey());
            if (type == null) {
                throw new BadRequestException("Library " + library + " has no parameter \"" + entry.getKey() + "\"; it has "
                        + types.keySet());
            }
            parameters.put(entry.getKey(), convert(library, entry.getKey(), type, entry.getValue()));
        }
        return parameters;
    }

    private static Object convert(String library, String name, String type, JsonNode value) {
        Object converted = switch (type) {
            case "Boolean" -> value.isBoolean() ? value.booleanValue() : null;
            case "Integer" -> value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
            case "Decimal" -> value.isNumber() ? value.decimalValue() : null;
            case "String" -> value.isTextual() ? value.asText() : null;
            case "Quantity" -> value.isObject() && value.path("value").isNumber() && value.path("unit").isTextual()
                    && value.size() == 2
                    ? new Quantity().withValue(new BigDecimal(value.get("value").asText())).withUnit(value.get("unit").asText())
                    : null;
            default -> throw new BadRequestException("Parameter \"" + name + "\" of " + library + " is a " + type
                    + ", which cannot be given here; only Boolean, Integer, Decimal, String and Quantity parameters can");
        };
        if (converted == null) {
            throw new BadRequestException("Parameter \"" + name + "\" of " + library + " is a " + type + ": give "
                    + example(type) + ", not " + value);
        }
        return converted;
    }

    private static String example(String type) {
        return switch (type) {
            case "Boolean" -> "true or false";
            case "Integer" -> "a whole number, e.g. 2";
            case "Decimal" -> "a number, e.g. 30.0";
            case "String" -> "a string in quotes";
            default -> "{\"value\": 30, \"unit\": \"days\"}";
        };
    }
}
