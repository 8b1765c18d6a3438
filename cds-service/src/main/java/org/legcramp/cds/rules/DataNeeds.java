package org.legcramp.cds.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a service's library can read of a patient's chart: the resource types it retrieves; for the
 * types it only ever retrieves by a value set on their code ({@code [Observation: "DVT Signs"]}),
 * the codes ({@code system|code}) of those value sets; and the types it (also) retrieves by id, the
 * targets of references ({@code [Condition: id in ...]} for an order's reason). A resource it can
 * never read is dropped from the request before it is parsed as FHIR: real charts are mostly
 * observations, procedures and conditions that no rule looks at, and parsing them was most of the
 * cost of a call.
 *
 * <p>{@code types}: every type retrieved, null for everything (nothing known of the reader);
 * {@code codesByFilteredType}: types read only by value set (and perhaps by id), with the codes;
 * {@code typesReadById}: types read only by id (and perhaps by value set), whose resources are
 * readable when some readable resource or draft order references them; {@code elementsRead}: the
 * names of the elements the library (and the explanation of its cards) reads, null for every
 * element. A resource is parsed with only the elements it can read (see {@link #elementsToParse}):
 * most of a real order or condition is elements no rule reads (category, encounter, requester,
 * dosage), whose parse was a third of a call's.
 */
public final class DataNeeds {

    private final Set<String> types;
    private final Map<String, Set<String>> codesByFilteredType;
    private final Set<String> typesReadById;
    private final Set<String> elementsRead;
    /** codesByFilteredType by type, then system, then code: a lookup that builds no string per coding. */
    private final Map<String, Map<String, Set<String>>> codeIndex = new HashMap<>();

    /**
     * Elements every resource keeps whatever the library reads: what identifies it and what it
     * belongs to (the context of a retrieve: the patient), its contained resources (a contained
     * Medication is read through a reference), and extensions, which may modify its meaning. Not
     * {@code meta} unless a rule reads it: nothing here does, and a server honouring
     * {@code _elements} adds a SUBSETTED tag to every resource's, which parsed was most of what
     * the smaller body saved.
     */
    static final Set<String> ALWAYS_PARSED = Set.of("resourceType", "id", "implicitRules", "language", "contained",
            "extension", "modifierExtension", "subject", "patient");

    public DataNeeds(Set<String> types, Map<String, Set<String>> codesByFilteredType, Set<String> typesReadById,
            Set<String> elementsRead) {
        this.types = types;
        this.codesByFilteredType = codesByFilteredType;
        this.typesReadById = typesReadById;
        this.elementsRead = elementsRead;
        codesByFilteredType.forEach((type, codes) -> {
            Map<String, Set<String>> bySystem = new HashMap<>();
            for (String code : codes) {
                int bar = code.lastIndexOf('|');
                bySystem.computeIfAbsent(code.substring(0, bar), k -> new HashSet<>()).add(code.substring(bar + 1));
            }
            codeIndex.put(type, bySystem);
        });
    }

    public Set<String> types() {
        return types;
    }

    public Map<String, Set<String>> codesByFilteredType() {
        return codesByFilteredType;
    }

    public Set<String> typesReadById() {
        return typesReadById;
    }

    /** Names of the elements read, null for every element. */
    public Set<String> elementsRead() {
        return elementsRead;
    }

    /** Everything: for callers that evaluate a library on data they chose themselves. */
    public static final DataNeeds EVERYTHING = new DataNeeds(null, Map.of(), Set.of(), null);

    /**
     * The resource as it is to be parsed: without the elements that are never read (its narrative
     * always; with {@link #elementsRead} known, every element not named there), the request's tree
     * left as sent. An element is named by its name without a choice type's suffix
     * ({@code onset} for {@code onsetDateTime}), and a primitive's {@code _name} companion follows it.
     */
    public ObjectNode elementsToParse(ObjectNode resource) {
        ObjectNode kept = resource.objectNode();
        boolean dropped = false;
        for (var field : resource.properties()) {
            if (isParsed(field.getKey())) {
                kept.set(field.getKey(), field.getValue());
            } else {
                dropped = true;
            }
        }
        return dropped ? kept : resource;
    }

    /**
     * Whether an element, named as its type defines it ({@code onset}, not {@code onsetDateTime}),
     * is read: the elements a prefetch template asks for ({@code _elements}) and those parsed.
     */
    public boolean readsElement(String name) {
        if (name.equals("text")) {
            // The narrative: no rule, card or explanation reads it, and HAPI parses each one's XHTML
            // with a parser it builds anew (most of a tenth of a Synthea chart's parse).
            return false;
        }
        return elementsRead == null || ALWAYS_PARSED.contains(name) || elementsRead.contains(name);
    }

    private boolean isParsed(String member) {
        String name = member.startsWith("_") ? member.substring(1) : member;
        if (readsElement(name)) {
            return true;
        }
        if (elementsRead == null || name.equals("text")) {
            return false;
        }
        // A choice element: onsetDateTime is onset[x] with the type's name appended, which starts with a capital.
        for (int i = name.length() - 1; i > 0; i--) {
            if (Character.isUpperCase(name.charAt(i)) && elementsRead.contains(name.substring(0, i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * What any of several readers can read: a type read without a filter by one is read so by all;
     * otherwise its codes are the union of theirs, and it is read by id if any reads it so.
     */
    public static DataNeeds union(List<DataNeeds> readers) {
        if (readers.stream().anyMatch(r -> r.types() == null)) {
            return EVERYTHING;
        }
        Set<String> elements = readers.stream().anyMatch(r -> r.elementsRead() == null) ? null : new HashSet<>();
        if (elements != null) {
            readers.forEach(r -> elements.addAll(r.elementsRead()));
        }
        Set<String> types = new HashSet<>();
        readers.forEach(r -> types.addAll(r.types()));
        Map<String, Set<String>> codes = new HashMap<>();
        Set<String> byId = new HashSet<>();
        for (String type : types) {
            List<DataNeeds> readingIt = readers.stream().filter(r -> r.types().contains(type)).toList();
            if (readingIt.stream().anyMatch(r -> r.readsAll(type))) {
                continue;
            }
            Set<String> allowed = new HashSet<>();
            readingIt.forEach(r -> allowed.addAll(r.codesByFilteredType().getOrDefault(type, Set.of())));
            if (readingIt.stream().anyMatch(r -> r.codesByFilteredType().containsKey(type))) {
                codes.put(type, Set.copyOf(allowed));
            }
            if (readingIt.stream().anyMatch(r -> r.typesReadById().contains(type))) {
                byId.add(type);
            }
        }
        return new DataNeeds(Set.copyOf(types), Map.copyOf(codes), Set.copyOf(byId), elements == null ? null : Set.copyOf(elements));
    }

    private boolean readsAll(String type) {
        return !codesByFilteredType.containsKey(type) && !typesReadById.contains(type);
    }

    /**
     * The resources, of those given, that the reader may read.
     *
     * @param candidates FHIR resources as JSON, each with its Bundle entry's fullUrl (or null)
     * @param alwaysRead resources read whatever they are (draft orders): their references count
     */
    public List<Candidate> readable(List<Candidate> candidates, List<JsonNode> alwaysRead) {
        List<Candidate> kept = new ArrayList<>();
        List<Candidate> byReferenceOnly = new ArrayList<>();
        for (Candidate candidate : candidates) {
            switch (decide(candidate.resource())) {
                case READ -> kept.add(candidate);
                case IF_REFERENCED -> byReferenceOnly.add(candidate);
                case NEVER -> { }
            }
        }
        if (byReferenceOnly.isEmpty()) {
            return kept;
        }
        // References can chain (an order's reason Condition may point further): follow them to a fixed point.
        Set<String> referenced = new HashSet<>();
        alwaysRead.forEach(resource -> collectReferencedIds(resource, referenced));
        kept.forEach(candidate -> collectReferencedIds(candidate.resource(), referenced));
        boolean added = true;
        while (added) {
            added = false;
            for (var pending = byReferenceOnly.iterator(); pending.hasNext(); ) {
                Candidate candidate = pending.next();
                if (referenced.contains(candidate.resource().path("id").asText("\u0000"))
                        || referenced.contains(lastSegment(candidate.fullUrl()))) {
                    pending.remove();
                    kept.add(candidate);
                    collectReferencedIds(candidate.resource(), referenced);
                    added = true;
                }
            }
        }
        return kept;
    }

    /** A resource of a Bundle, with the entry's fullUrl. */
    public record Candidate(JsonNode resource, String fullUrl) {}

    private enum Decision { READ, IF_REFERENCED, NEVER }

    private Decision decide(JsonNode resource) {
        String type = resource.path("resourceType").asText();
        if (types == null || "Medication".equals(type) || "Patient".equals(type)) {
            return Decision.READ; // Medications come with the orders that point to them
        }
        if (!types.contains(type)) {
            return Decision.NEVER;
        }
        Map<String, Set<String>> codes = codeIndex.get(type);
        if (codes == null && !typesReadById.contains(type)) {
            return Decision.READ;
        }
        if (codes != null) {
            for (JsonNode coding : resource.path("code").path("coding")) {
                Set<String> ofSystem = codes.get(coding.path("system").asText());
                if (ofSystem != null && ofSystem.contains(coding.path("code").asText())) {
                    return Decision.READ;
                }
            }
        }
        return typesReadById.contains(type) ? Decision.IF_REFERENCED : Decision.NEVER;
    }

    /**
     * The ids the resource's references point at, as the CQL reads them (the last segment), in the
     * elements it can read: a reference in an element no rule reads leads nowhere.
     */
    private void collectReferencedIds(JsonNode resource, Set<String> ids) {
        for (var field : resource.properties()) {
            if (isParsed(field.getKey())) {
                collectReferencedIdsIn(field.getValue(), ids);
            }
        }
    }

    private static void collectReferencedIdsIn(JsonNode node, Set<String> ids) {
        if (node.isObject()) {
            JsonNode reference = node.get("reference");
            if (reference != null && reference.isTextual()) {
                ids.add(lastSegment(reference.asText()));
            }
            node.elements().forEachRemaining(child -> collectReferencedIdsIn(child, ids));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collectReferencedIdsIn(child, ids));
        }
    }

    private static String lastSegment(String reference) {
        if (reference == null || reference.isEmpty()) {
            return "";
        }
        if (reference.startsWith("urn:uuid:")) {
            return reference.substring("urn:uuid:".length());
        }
        int history = reference.indexOf("/_history/");
        String id = history < 0 ? reference : reference.substring(0, history);
        id = id.substring(id.lastIndexOf('/') + 1);
        return id.startsWith("#") ? id.substring(1) : id;
    }
}
