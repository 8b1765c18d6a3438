package org.legcramp.cds.hooks;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IJsonLikeParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.parser.json.jackson.JacksonStructure;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.ChartData;
import org.legcramp.cds.prefetch.PrefetchValue;
import org.springframework.stereotype.Component;
import org.legcramp.cds.rules.DataNeeds;

/**
 * Turns a request body into a {@link HookRequest}, or says exactly what is wrong with it
 * (CDS Hooks 2.0 "HTTP Request" and the context of each hook). FHIR content is parsed with HAPI:
 * unknown elements are tolerated, as real EHRs send extensions of their own, but invalid values
 * and structures are refused. The body is read once into a JSON tree, and HAPI parses its FHIR parts
 * straight from that tree (no re-serialising); resources are counted in the tree, so an oversized
 * request is refused before any of it is parsed as FHIR. The context (draft orders) and single
 * prefetched resources are parsed here; a prefetch Bundle's resources when a rule first reads their
 * type ({@link ChartData}: most of a real chart's call was its parse, and most of that parse was of
 * resources its rules did not read for that patient).
 */
@Component
public class HookRequestParser {

    private static final java.util.regex.Pattern FHIR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private final ObjectMapper json;
    private final FhirContext fhirContext;
    private final int maxResources;
    private final long maxRequestBytes;
    private final Set<String> resourceTypes;
    /** A HAPI parser is not for two threads at once; the rules of a call parse on several. */
    private final ThreadLocal<IJsonLikeParser> parsers = ThreadLocal.withInitial(this::newParser);

    public HookRequestParser(FhirContext fhirContext, org.legcramp.cds.CdsProperties properties) {
        this.fhirContext = fhirContext;
        this.resourceTypes = Set.copyOf(fhirContext.getResourceTypes());
        this.maxResources = properties.maxPrefetchResources();
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
        // Decimals as written (FHIR decimals keep their precision, "1.50" is not "1.5"), as HAPI reads them itself.
        this.json = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        this.json.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(properties.maxJsonDepth()).build());
    }

    /** The request's body as a JSON object, read no further than the size limit (413 beyond it). */
    public JsonNode readJson(HttpServletRequest http) {
        if (http.getContentLengthLong() > maxRequestBytes) {
            throw new PayloadTooLargeException(maxRequestBytes);
        }
        byte[] body;
        try (InputStream in = http.getInputStream()) {
            body = in.readNBytes((int) maxRequestBytes + 1);
        } catch (IOException e) {
            throw new BadRequestException("Request body could not be read");
        }
        if (body.length > maxRequestBytes) {
            throw new PayloadTooLargeException(maxRequestBytes);
        }
        return readJson(body);
    }

    private JsonNode readJson(byte[] body) {
        if (body.length == 0) {
            throw new BadRequestException("Request body is empty; a JSON object is expected");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new BadRequestException("Request body must be a JSON object, not "
                        + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new BadRequestException("Request JSON is nested too deeply: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new BadRequestException("Request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new BadRequestException("Request body could not be read");
        }
    }

    /**
     * @param needs what the service can read: prefetched resources it never could are dropped
     *        before FHIR parsing (draft orders are always kept)
     */
    public HookRequest parse(JsonNode body, Hook expectedHook, DataNeeds needs) {
        String hookId = requiredText(body, "hook", "hook");
        if (!hookId.equals(expectedHook.id())) {
            throw new BadRequestException("This service answers the " + expectedHook.id() + " hook, not '" + hookId + "'");
        }
        String hookInstance = requiredText(body, "hookInstance", "hookInstance");
        URI fhirServer = fhirServer(body.get("fhirServer"));
        String accessToken = accessToken(body.get("fhirAuthorization"));

        JsonNode context = body.get("context");
        if (context == null || !context.isObject()) {
            throw new BadRequestException("'context' is required and must be an object");
        }
        for (String field : expectedHook.requiredContext()) {
            if (context.get(field) == null || context.get(field).isNull()) {
                throw new BadRequestException("context." + field + " is required for the " + expectedHook.id() + " hook");
            }
        }
        String patientId = requiredText(context, "patientId", "context.patientId");
        if (!FHIR_ID.matcher(patientId).matches()) {
            throw new BadRequestException("context.patientId must be a FHIR id (letters, digits, '-' and '.', at most 64)");
        }
        String userId = requiredText(context, "userId", "context.userId");

        long resources = (expectedHook.hasDraftOrders() ? entries(context.get("draftOrders")) : 0) + prefetchResources(body.get("prefetch"));
        if (resources > maxResources) {
            throw new PayloadTooLargeException("The request carries " + resources + " FHIR resources; the limit is " + maxResources);
        }
        List<Resource> draftOrders = expectedHook.hasDraftOrders() ? draftOrders(context.get("draftOrders"), patientId) : List.of();
        Set<String> selections = expectedHook == Hook.ORDER_SELECT ? selections(context.get("selections"), draftOrders) : Set.of();
        Map<String, PrefetchValue> prefetch = prefetch(body.get("prefetch"), needs,
                expectedHook.hasDraftOrders() ? entryResources(context.get("draftOrders")) : List.of());
        return new HookRequest(expectedHook, hookInstance, fhirServer, accessToken, patientId, userId, draftOrders,
                selections, prefetch);
    }

    /**
     * Resources the prefetch will yield, counted in the JSON: a Bundle's entries with a resource,
     * one for any other resource, none for null or an OperationOutcome (a failed prefetch).
     */
    private static long prefetchResources(JsonNode prefetch) {
        long count = 0;
        if (prefetch != null && prefetch.isObject()) {
            for (JsonNode value : prefetch) {
                String type = value.path("resourceType").asText("");
                if (type.equals("Bundle")) {
                    count += entries(value);
                } else if (value.isObject() && !type.equals("OperationOutcome")) {
                    count++;
                }
            }
        }
        return count;
    }

    private static long entries(JsonNode bundle) {
        return entryResources(bundle).size();
    }

    /** The resources of a Bundle's entries, as JSON. */
    private static List<JsonNode> entryResources(JsonNode bundle) {
        List<JsonNode> resources = new ArrayList<>();
        if (bundle != null) {
            for (JsonNode entry : bundle.path("entry")) {
                if (entry.path("resource").isObject()) {
                    resources.add(entry.get("resource"));
                }
            }
        }
        return resources;
    }

    private static String requiredText(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadRequestException("'" + name + "' is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new BadRequestException("'" + name + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static URI fhirServer(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestException("'fhirServer' must be a URL string");
        }
        try {
            URI uri = new URI(value.asText());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new BadRequestException("'fhirServer' must be an absolute http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new BadRequestException("'fhirServer' is not a valid URL");
        }
    }

    private static String accessToken(JsonNode authorization) {
        if (authorization == null || authorization.isNull()) {
            return null;
        }
        if (!authorization.isObject()) {
            throw new BadRequestException("'fhirAuthorization' must be an object");
        }
        String token = requiredText(authorization, "access_token", "fhirAuthorization.access_token");
        JsonNode type = authorization.get("token_type");
        if (type != null && !"Bearer".equalsIgnoreCase(type.asText())) {
            throw new BadRequestException("fhirAuthorization.token_type must be Bearer");
        }
        return token;
    }

    /**
     * The orders being written. They are the context patient's by definition, so one without a
     * subject is taken as the patient's (else no rule could see it); one for another patient is refused.
     */
    private List<Resource> draftOrders(JsonNode value, String patientId) {
        Resource parsed = parseFhir(value, "context.draftOrders");
        if (!(parsed instanceof Bundle bundle)) {
            throw new BadRequestException("context.draftOrders must be a FHIR Bundle, not " + parsed.fhirType());
        }
        List<Resource> orders = new ArrayList<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (!entry.hasResource()) {
                throw new BadRequestException("context.draftOrders has an entry without a resource");
            }
            Resource order = entry.getResource();
            if (!order.getIdElement().hasIdPart()) {
                throw new BadRequestException("context.draftOrders: every draft " + order.fhirType() + " needs an id");
            }
            Property subject = order.getNamedProperty("subject");
            if (subject != null) {
                Reference reference = subject.hasValues() ? (Reference) subject.getValues().get(0) : null;
                if (reference == null || !reference.hasReference()) {
                    order.setProperty("subject", new Reference("Patient/" + patientId));
                } else if (!patientId.equals(reference.getReferenceElement().getIdPart())) {
                    throw new BadRequestException("context.draftOrders: " + order.fhirType() + "/" + order.getIdElement().getIdPart()
                            + " is for another patient than context.patientId");
                }
            }
            orders.add(order);
        }
        return orders;
    }

    private static Set<String> selections(JsonNode value, List<Resource> draftOrders) {
        if (!value.isArray() || value.isEmpty()) {
            throw new BadRequestException("context.selections must be a non-empty array of draft order ids");
        }
        Set<String> draftIds = new HashSet<>();
        draftOrders.forEach(order -> draftIds.add(order.fhirType() + "/" + order.getIdElement().getIdPart()));
        Set<String> selections = new LinkedHashSet<>();
        for (JsonNode selection : value) {
            if (!selection.isTextual() || !draftIds.contains(selection.asText())) {
                throw new BadRequestException("context.selections names " + selection
                        + ", which is not a draft order (expected Type/id of an entry in context.draftOrders)");
            }
            selections.add(selection.asText());
        }
        return selections;
    }

    /**
     * @param alwaysRead resources read whatever the data needs (the draft orders), whose references
     *        keep the resources they point at
     */
    private Map<String, PrefetchValue> prefetch(JsonNode value, DataNeeds needs, List<JsonNode> alwaysRead) {
        Map<String, PrefetchValue> prefetch = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return prefetch;
        }
        if (!value.isObject()) {
            throw new BadRequestException("'prefetch' must be an object");
        }
        // What the service can read is decided over the whole prefetch at once: an order in one
        // key can reference a condition in another.
        List<DataNeeds.Candidate> candidates = new ArrayList<>();
        List<JsonNode> referencing = new ArrayList<>(alwaysRead);
        Map<String, List<Pending>> entriesByKey = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode data = field.getValue();
            if (!isBundleWithEntries(data)) {
                if (data.isObject()) {
                    referencing.add(data); // a single resource (the Patient) is kept whole
                }
                continue;
            }
            String name = "prefetch." + field.getKey();
            parseFhir(without((ObjectNode) data, "entry"), name); // the Bundle's own elements are checked too
            List<Pending> entries = new ArrayList<>();
            int index = 0;
            for (JsonNode entry : data.get("entry")) {
                String entryName = name + ".entry[" + index++ + "]";
                if (!entry.isObject()) {
                    throw new BadRequestException(entryName + " must be a JSON object");
                }
                JsonNode resource = entry.get("resource");
                if (resource == null || resource.isNull()) {
                    continue;
                }
                if (!resource.isObject()) {
                    throw new BadRequestException(entryName + ".resource must be a FHIR resource (a JSON object)");
                }
                Pending pending = new Pending(resource, entryName + ".resource", entry.path("fullUrl").asText(null), needs);
                entries.add(pending);
                candidates.add(new DataNeeds.Candidate(resource, pending.fullUrl()));
            }
            entriesByKey.put(field.getKey(), entries);
        }
        Set<JsonNode> readable = Collections.newSetFromMap(new IdentityHashMap<>());
        needs.readable(candidates, referencing).forEach(candidate -> readable.add(candidate.resource()));
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            String key = field.getKey();
            JsonNode data = field.getValue();
            if (data.isNull()) {
                prefetch.put(key, new PrefetchValue.KnownAbsent());
                continue;
            }
            if (!isBundleWithEntries(data)) {
                // A single resource (the Patient, or an OperationOutcome for a failed prefetch): parsed now.
                Resource resource = parseOne(parsers.get(), new Pending(data, "prefetch." + key, null, DataNeeds.EVERYTHING));
                prefetch.put(key, resource instanceof OperationOutcome outcome
                        ? new PrefetchValue.Failed(outcome.getIssueFirstRep().getDiagnostics())
                        : new PrefetchValue.Present(List.of(new ChartData.Parsed(resource))));
                continue;
            }
            List<ChartData.Entry> entries = new ArrayList<>();
            for (Pending entry : entriesByKey.get(key)) {
                if (readable.contains(entry.json())) {
                    entries.add(deferred(entry));
                }
            }
            prefetch.put(key, new PrefetchValue.Present(entries));
        }
        return prefetch;
    }

    /**
     * A resource to parse: its JSON as sent, its name in error messages, its Bundle entry's fullUrl
     * (or null), and what reads it (its unread elements are not parsed; a single resource, the
     * Patient, is parsed whole).
     */
    private record Pending(JsonNode json, String name, String fullUrl, DataNeeds readBy) {}

    /**
     * A Bundle entry's resource, parsed when a rule first reads its type (see ChartData); one whose
     * type FHIR does not know is parsed now, so that it is refused as before.
     */
    private ChartData.Entry deferred(Pending pending) {
        String type = pending.json().path("resourceType").asText("");
        if (!resourceTypes.contains(type)) {
            return new ChartData.Parsed(parseOne(parsers.get(), pending));
        }
        JsonNode id = pending.json().get("id");
        String idPart = id != null && id.isTextual() && !id.asText().isEmpty() ? new IdType(id.asText()).getIdPart()
                : pending.fullUrl() != null && !pending.fullUrl().isEmpty() ? new IdType(pending.fullUrl()).getIdPart()
                : null;
        return new Unparsed(pending, type, idPart == null ? null : type + "/" + idPart);
    }

    /** See {@link #deferred}. */
    private final class Unparsed implements ChartData.Entry {
        private final Pending pending;
        private final String type;
        private final String key;
        private Resource resource; // guarded by this

        Unparsed(Pending pending, String type, String key) {
            this.pending = pending;
            this.type = type;
            this.key = key;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public synchronized Resource resource() {
            if (resource == null) {
                resource = parseOne(parsers.get(), pending);
            }
            return resource;
        }
    }

    /**
     * One resource, parsed on its own and with only the elements that can be read (never its
     * narrative; see DataNeeds.elementsToParse): parsing a Bundle whole also links every reference
     * across its entries, which cost a third of the parse and which nothing here uses. An invalid
     * value in an element no rule reads is therefore not an error: it could change no card. A
     * resource without an id takes its entry's fullUrl, as in a whole-Bundle parse ({@code urn:uuid:}
     * references).
     */
    private static Resource parseOne(IJsonLikeParser parser, Pending resource) {
        if (!resource.json().isObject()) {
            throw new BadRequestException(resource.name() + " must be a FHIR resource (a JSON object)");
        }
        Resource fhir = parseFhir(parser, resource.readBy().elementsToParse((ObjectNode) resource.json()), resource.name());
        if (!fhir.hasIdElement() && resource.fullUrl() != null && !resource.fullUrl().isEmpty()) {
            fhir.setIdElement(new IdType(resource.fullUrl()));
        }
        return fhir;
    }

    /** A shallow copy of {@code node} without one member: the request's tree stays as sent. */
    private static ObjectNode without(ObjectNode node, String member) {
        if (!node.has(member)) {
            return node;
        }
        ObjectNode copy = node.objectNode();
        node.properties().forEach(field -> {
            if (!field.getKey().equals(member)) {
                copy.set(field.getKey(), field.getValue());
            }
        });
        return copy;
    }

    private static boolean isBundleWithEntries(JsonNode value) {
        return value.isObject() && "Bundle".equals(value.path("resourceType").asText()) && value.path("entry").isArray();
    }

    private Resource parseFhir(JsonNode value, String name) {
        return parseFhir(parsers.get(), value, name);
    }

    private IJsonLikeParser newParser() {
        return (IJsonLikeParser) fhirContext.newJsonParser()
                .setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(true));
    }

    private static Resource parseFhir(IJsonLikeParser parser, JsonNode value, String name) {
        if (value == null || !value.isObject()) {
            throw new BadRequestException(name + " must be a FHIR resource (a JSON object)");
        }
        JacksonStructure tree = new JacksonStructure();
        tree.setNativeObject((ObjectNode) value);
        try {
            return (Resource) parser.parseResource(tree);
        } catch (DataFormatException | ClassCastException e) {
            throw new BadRequestException(name + " is not valid FHIR R4: " + e.getMessage());
        }
    }
}
