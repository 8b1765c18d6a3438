package org.legcramp.cds.cql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;

/**
 * Serves CQL retrieves ({@code [Condition: "Cirrhosis"]}) from one request's own resources, held in
 * memory: by type, then by the patient context, then by code or value set. The 4.x engine ships
 * only REST retrieve providers, and a hook must be answered from the data the EHR sent.
 */
public final class InMemoryRetrieveProvider implements RetrieveProvider {

    private final Map<String, List<Resource>> resourcesByType = new LinkedHashMap<>();
    private final ModelResolver modelResolver;
    private final TerminologyProvider terminology;

    public InMemoryRetrieveProvider(Collection<? extends Resource> resources, ModelResolver modelResolver,
            TerminologyProvider terminology) {
        this.modelResolver = modelResolver;
        this.terminology = terminology;
        for (Resource resource : resources) {
            resourcesByType.computeIfAbsent(resource.fhirType(), type -> new ArrayList<>()).add(resource);
        }
    }

    @Override
    public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
            String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
            String dateLowPath, String dateHighPath, Interval dateRange) {
        if (datePath != null || dateRange != null) {
            // The translator only emits date-filtered retrieves with date range optimisation, which we keep off.
            throw new UnsupportedOperationException("Date-filtered retrieves are not supported in memory");
        }
        List<Object> matches = new ArrayList<>();
        for (Resource resource : resourcesByType.getOrDefault(dataType, List.of())) {
            if (inContext(resource, contextPath, contextValue) && hasCode(resource, codePath, codes, valueSet)) {
                matches.add(resource);
            }
        }
        return matches;
    }

    private boolean inContext(Resource resource, String contextPath, Object contextValue) {
        if (contextPath == null || contextValue == null) {
            return true; // e.g. Medication, which belongs to no patient
        }
        Object value = modelResolver.resolvePath(resource, contextPath);
        String wanted = contextValue.toString();
        if (value instanceof Reference reference) {
            return wanted.equals(reference.getReferenceElement().getIdPart());
        }
        if (value instanceof IdType id) {
            return wanted.equals(id.getIdPart());
        }
        if (value instanceof StringType string) {
            return wanted.equals(new IdType(string.getValue()).getIdPart());
        }
        if (value instanceof String string) {
            return wanted.equals(new IdType(string).getIdPart());
        }
        return false;
    }

    private boolean hasCode(Resource resource, String codePath, Iterable<Code> codes, String valueSet) {
        if (codePath == null || (codes == null && valueSet == null)) {
            return true;
        }
        for (Coding coding : codingsAt(resource, codePath)) {
            Code code = new Code().withSystem(coding.getSystem()).withCode(coding.getCode());
            if (valueSet != null && terminology.in(code, new ValueSetInfo().withId(valueSet))) {
                return true;
            }
            if (codes != null) {
                for (Code wanted : codes) {
                    if (wanted.getCode().equals(coding.getCode())
                            && (wanted.getSystem() == null || wanted.getSystem().equals(coding.getSystem()))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private List<Coding> codingsAt(Resource resource, String codePath) {
        Object value = modelResolver.resolvePath(resource, codePath);
        List<Coding> codings = new ArrayList<>();
        collectCodings(value, codings);
        return codings;
    }

    private static void collectCodings(Object value, List<Coding> into) {
        if (value instanceof Iterable<?> values) {
            values.forEach(item -> collectCodings(item, into));
        } else if (value instanceof CodeableConcept concept) {
            into.addAll(concept.getCoding());
        } else if (value instanceof Coding coding) {
            into.add(coding);
        } else if (value instanceof CodeType code) {
            into.add(new Coding(null, code.getValue(), null));
        }
        // anything else (a Reference such as MedicationRequest.medication) carries no code to filter on
    }
}
