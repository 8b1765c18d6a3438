package org.legcramp.cds.cql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.ValueSet;
import org.opencds.cqf.cql.engine.runtime.Code;

/**
 * The codes a ValueSet lists: its expansion when it has one, otherwise its enumerated compose,
 * including the codes of the value sets it includes ({@code compose.include.valueSet}), which
 * must be among the shipped ones, so that a union such as "cramp treatments" = quinine ∪
 * magnesium ∪ baclofen ∪ muscle relaxants has one home per drug.
 */
public final class ValueSetCodes {

    private final Map<String, ValueSet> byUrl;

    public ValueSetCodes(List<ValueSet> valueSets) {
        this.byUrl = valueSets.stream().collect(Collectors.toMap(ValueSet::getUrl, Function.identity(), (a, b) -> a));
    }

    /**
     * @throws IllegalArgumentException when an included value set is not shipped, or includes itself
     */
    public List<Code> of(ValueSet valueSet) {
        return List.copyOf(collect(valueSet, new LinkedHashSet<>()));
    }

    private List<Code> collect(ValueSet valueSet, Set<String> including) {
        if (!including.add(valueSet.getUrl())) {
            throw new IllegalArgumentException("ValueSet " + valueSet.getUrl() + " includes itself");
        }
        List<Code> codes = new ArrayList<>();
        if (valueSet.hasExpansion()) {
            for (ValueSet.ValueSetExpansionContainsComponent contains : valueSet.getExpansion().getContains()) {
                codes.add(new Code().withSystem(contains.getSystem()).withCode(contains.getCode())
                        .withDisplay(contains.getDisplay()));
            }
        } else {
            for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
                for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
                    codes.add(new Code().withSystem(include.getSystem()).withCode(concept.getCode())
                            .withDisplay(concept.getDisplay()));
                }
                for (CanonicalType included : include.getValueSet()) {
                    ValueSet nested = byUrl.get(included.getValue());
                    if (nested == null) {
                        throw new IllegalArgumentException("ValueSet " + valueSet.getUrl() + " includes "
                                + included.getValue() + ", which is not among the shipped value sets");
                    }
                    codes.addAll(collect(nested, including));
                }
            }
        }
        including.remove(valueSet.getUrl());
        return codes;
    }
}
