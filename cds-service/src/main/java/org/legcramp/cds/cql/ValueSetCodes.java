package org.legcramp.cds.cql;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.ValueSet;
import org.opencds.cqf.cql.engine.runtime.Code;

/** The codes a ValueSet lists: its expansion when it has one, otherwise its enumerated compose. */
public final class ValueSetCodes {

    private ValueSetCodes() {}

    public static List<Code> of(ValueSet valueSet) {
        List<Code> codes = new ArrayList<>();
        if (valueSet.hasExpansion()) {
            for (ValueSet.ValueSetExpansionContainsComponent contains : valueSet.getExpansion().getContains()) {
                codes.add(new Code().withSystem(contains.getSystem()).withCode(contains.getCode())
                        .withDisplay(contains.getDisplay()));
            }
            return codes;
        }
        for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
            for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
                codes.add(new Code().withSystem(include.getSystem()).withCode(concept.getCode())
                        .withDisplay(concept.getDisplay()));
            }
        }
        return codes;
    }
}
