package org.legcramp.cds.cql;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.ValueSet;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.CodeSystemInfo;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;

/**
 * Answers CQL's {@code in "Value Set"} from the ValueSets shipped with the content, so a hook is
 * evaluated offline with no terminology server. ValueSets list their codes explicitly (compose
 * concepts, shipped value sets they include, or an expansion); filters are refused at load time
 * by the content checks.
 */
public final class InMemoryTerminologyProvider implements TerminologyProvider {

    private final Map<String, Set<SystemAndCode>> codesByValueSetUrl = new HashMap<>();
    private final Map<String, List<Code>> expansionByValueSetUrl = new HashMap<>();

    public InMemoryTerminologyProvider(List<ValueSet> valueSets) {
        ValueSetCodes valueSetCodes = new ValueSetCodes(valueSets);
        for (ValueSet valueSet : valueSets) {
            List<Code> codes = valueSetCodes.of(valueSet);
            expansionByValueSetUrl.put(valueSet.getUrl(), codes);
            Set<SystemAndCode> index = new LinkedHashSet<>();
            codes.forEach(code -> index.add(new SystemAndCode(code.getSystem(), code.getCode())));
            codesByValueSetUrl.put(valueSet.getUrl(), index);
        }
    }

    public boolean knows(String valueSetUrl) {
        return codesByValueSetUrl.containsKey(valueSetUrl);
    }

    @Override
    public boolean in(Code code, ValueSetInfo valueSet) {
        if (code == null || code.getCode() == null) {
            return false;
        }
        return index(valueSet).contains(new SystemAndCode(code.getSystem(), code.getCode()));
    }

    @Override
    public Iterable<Code> expand(ValueSetInfo valueSet) {
        index(valueSet);
        return expansionByValueSetUrl.get(valueSet.getId());
    }

    @Override
    public Code lookup(Code code, CodeSystemInfo codeSystem) {
        throw new UnsupportedOperationException(
                "Code lookup needs a terminology server; the content must not rely on it");
    }

    private Set<SystemAndCode> index(ValueSetInfo valueSet) {
        Set<SystemAndCode> codes = codesByValueSetUrl.get(valueSet.getId());
        if (codes == null) {
            throw new IllegalArgumentException("Unknown value set " + valueSet.getId());
        }
        return codes;
    }

    private record SystemAndCode(String system, String code) {}
}
