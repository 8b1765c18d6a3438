package org.legcramp.cds.cql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.runtime.BaseTemporal;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Concept;
import org.opencds.cqf.cql.engine.runtime.Quantity;

/**
 * A define's value in plain JSON-friendly terms, for people to read and compare: booleans,
 * numbers and strings as they are; resources as {@code Type/id}; dates as ISO text; codes as
 * {@code system|code}; lists element by element.
 */
public final class CqlValues {

    private CqlValues() {}

    public static Object plain(Object value) {
        if (value == null || value instanceof Boolean || value instanceof String || value instanceof Integer
                || value instanceof Long) {
            return value;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.stripTrailingZeros();
        }
        if (value instanceof Resource resource) {
            return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
        }
        if (value instanceof BaseTemporal temporal) {
            return temporal.toString();
        }
        if (value instanceof Code code) {
            return code.getSystem() + "|" + code.getCode();
        }
        if (value instanceof Concept concept) {
            List<Object> codes = new ArrayList<>();
            concept.getCodes().forEach(code -> codes.add(plain(code)));
            return codes;
        }
        if (value instanceof Quantity quantity) {
            return quantity.getValue().stripTrailingZeros().toPlainString() + " " + quantity.getUnit();
        }
        if (value instanceof PrimitiveType<?> primitive) {
            return primitive.getValueAsString();
        }
        if (value instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (value instanceof Base base) {
            return base.fhirType();
        }
        return value.toString();
    }
}
