package org.legcramp.cds.cql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PrimitiveType;
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
 *
 * <p>One instance serves one hook call, whose rules may evaluate on several threads at once (hence
 * the concurrent maps; what is computed twice in a race is the same). The engine retrieves the same type many times
 * (a retrieve inside a function runs once per call), so what a retrieve computes is kept: the
 * resources of a type in the context, and, per type and code path, an index from code to
 * resources, so that a code or value-set filter looks codes up instead of scanning every resource.
 * The same index serves filters on ids and other plain values ({@code [Medication: id = X]}): the
 * one way CQL can fetch the Medication an order references without scanning them all.
 */
public final class InMemoryRetrieveProvider implements RetrieveProvider {

    private final ChartData data;
    private final Map<List<Object>, List<Object>> inContextByTypeAndContext = new ConcurrentHashMap<>();
    private final Map<List<Object>, CodeIndex> codeIndexes = new ConcurrentHashMap<>();
    private final ModelResolver modelResolver;
    private final TerminologyProvider terminology;

    public InMemoryRetrieveProvider(Collection<? extends Resource> resources, ModelResolver modelResolver,
            TerminologyProvider terminology) {
        this(ChartData.of(resources), modelResolver, terminology);
    }

    /** @param data parsed type by type as the retrieves read them (see ChartData) */
    public InMemoryRetrieveProvider(ChartData data, ModelResolver modelResolver, TerminologyProvider terminology) {
        this.modelResolver = modelResolver;
        this.terminology = terminology;
        this.data = data;
    }

    @Override
    public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
            String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
            String dateLowPath, String dateHighPath, Interval dateRange) {
        if (datePath != null || dateRange != null) {
            // The translator only emits date-filtered retrieves with date range optimisation, which we keep off.
            throw new UnsupportedOperationException("Date-filtered retrieves are not supported in memory");
        }
        List<Object> inContext = inContext(dataType, contextPath, contextValue);
        if (codePath == null || (codes == null && valueSet == null)) {
            return new ArrayList<>(inContext); // a copy: the engine may hold on to the list it gets
        }
        CodeIndex index = codeIndexes.computeIfAbsent(Arrays.asList(dataType, contextPath, contextValue, codePath),
                key -> new CodeIndex(inContext, codePath));
        Set<Object> matched = Collections.newSetFromMap(new IdentityHashMap<>());
        if (valueSet != null) {
            index.bySystemAndCode.forEach((coding, resources) -> {
                if (terminology.in(new Code().withSystem(coding.system()).withCode(coding.code()), new ValueSetInfo().withId(valueSet))) {
                    matched.addAll(resources);
                }
            });
        }
        if (codes != null) {
            // The engine hands a String-valued filter ([Medication: id = ...]) over as a list of Strings, typed as Codes.
            for (Object filter : (Iterable<?>) codes) {
                Code wanted = filter instanceof Code code ? code : new Code().withCode(String.valueOf(filter));
                index.byCode.getOrDefault(wanted.getCode(), Map.of()).forEach((system, resources) -> {
                    if (wanted.getSystem() == null || wanted.getSystem().equals(system)) {
                        matched.addAll(resources);
                    }
                });
            }
        }
        // In the order of the data, as a scan would give them; sorted rather than rescanned, so an
        // id lookup per order stays a lookup.
        List<Object> matches = new ArrayList<>(matched);
        if (matches.size() > 1) {
            matches.sort(Comparator.comparingInt(index.position::get));
        }
        return matches;
    }

    private List<Object> inContext(String dataType, String contextPath, Object contextValue) {
        List<Object> key = Arrays.asList(dataType, contextPath, contextValue);
        List<Object> known = inContextByTypeAndContext.get(key);
        if (known != null) {
            return known;
        }
        // Outside the map's compute: a type's first read parses it, too long to hold the map's lock for.
        List<Resource> ofType = data.ofType(dataType);
        return inContextByTypeAndContext.computeIfAbsent(key, k -> {
            List<Object> resources = new ArrayList<>();
            for (Resource resource : ofType) {
                if (inContext(resource, contextPath, contextValue)) {
                    resources.add(resource);
                }
            }
            return resources;
        });
    }

    /** The resources of one retrieve's type and context, by the codes found at one code path. */
    private final class CodeIndex {
        /** code, then system (null when the coding has none), then the resources having it. */
        final Map<String, Map<String, List<Object>>> byCode = new HashMap<>();
        final Map<SystemAndCode, List<Object>> bySystemAndCode = new LinkedHashMap<>();
        /** Where each resource stands in the data. */
        final Map<Object, Integer> position = new IdentityHashMap<>();

        CodeIndex(List<Object> resources, String codePath) {
            for (Object resource : resources) {
                position.put(resource, position.size());
                for (Coding coding : codingsAt((Resource) resource, codePath)) {
                    if (coding.getCode() == null) {
                        continue; // matches no wanted code, and no value set holds a code-less coding
                    }
                    addOnce(byCode.computeIfAbsent(coding.getCode(), code -> new HashMap<>())
                            .computeIfAbsent(coding.getSystem(), system -> new ArrayList<>()), resource);
                    addOnce(bySystemAndCode.computeIfAbsent(new SystemAndCode(coding.getSystem(), coding.getCode()),
                            key -> new ArrayList<>()), resource);
                }
            }
        }

        private static void addOnce(List<Object> resources, Object resource) {
            if (resources.isEmpty() || resources.get(resources.size() - 1) != resource) {
                resources.add(resource);
            }
        }
    }

    private record SystemAndCode(String system, String code) {}

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
        } else if (value instanceof IdType id) {
            into.add(new Coding(null, id.getIdPart(), null)); // [Medication: id = 'med-1'] looks the id up
        } else if (value instanceof PrimitiveType<?> primitive) {
            into.add(new Coding(null, primitive.getValueAsString(), null));
        } else if (value instanceof String text) {
            into.add(new Coding(null, text, null));
        }
        // anything else (a Reference such as MedicationRequest.medication) carries no code to filter on
    }
}
