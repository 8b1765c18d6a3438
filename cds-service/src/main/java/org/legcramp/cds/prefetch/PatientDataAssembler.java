package org.legcramp.cds.prefetch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.ChartData;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.rules.CdsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the one data set a rule is evaluated on: the prefetch the EHR sent, plus whatever it
 * left out fetched from its FHIR server (CDS Hooks 2.0 prefetch semantics: null is "known
 * absent", a missing key or an OperationOutcome is "fetch it"), plus the draft orders in scope.
 */
public final class PatientDataAssembler {

    private static final Logger log = LoggerFactory.getLogger(PatientDataAssembler.class);
    private static final Pattern TOKEN = Pattern.compile("\\{\\{([^}]+)}}");

    private final FhirFetcher fetcher;
    private final ExecutorService fetchPool;
    private final MeterRegistry metrics;
    private final ThreadPoolExecutor parseHelpers;

    /** Without helper threads: every type read is parsed on the thread reading it. */
    public PatientDataAssembler(FhirFetcher fetcher, ExecutorService fetchPool, MeterRegistry metrics) {
        this(fetcher, fetchPool, metrics, null);
    }

    /** @param parseHelpers threads that parse parts of a type's many resources beside the rule reading it (see ChartData) */
    public PatientDataAssembler(FhirFetcher fetcher, ExecutorService fetchPool, MeterRegistry metrics,
            ThreadPoolExecutor parseHelpers) {
        this.fetcher = fetcher;
        this.fetchPool = fetchPool;
        this.metrics = metrics;
        this.parseHelpers = parseHelpers;
    }

    /** One timed fetch: legcramp.fhir.fetch{outcome=ok|error}. */
    private CompletableFuture<List<Resource>> fetchAsync(HookRequest request, String query) {
        return CompletableFuture.supplyAsync(() -> {
            Timer.Sample sample = Timer.start(metrics);
            String outcome = "error";
            try {
                List<Resource> fetched = fetcher.fetch(request.fhirServer(), request.accessToken(), query);
                outcome = "ok";
                return fetched;
            } finally {
                sample.stop(metrics.timer("legcramp.fhir.fetch", "outcome", outcome));
            }
        }, fetchPool);
    }

    /**
     * @param deadline the instant by which every fetch must be done
     * @return the data, each prefetched type parsed when a rule first reads it
     * @throws RequiredDataUnavailableException when data cannot be had in time
     */
    public ChartData assemble(CdsService service, HookRequest request, Instant deadline) {
        return assemble(service.prefetch(), request, deadline);
    }

    /**
     * @param templates prefetch key to query: what the rules read (a key the request did not send is fetched)
     */
    public ChartData assemble(Map<String, String> templates, HookRequest request, Instant deadline) {
        Map<Object, ChartData.Entry> byId = new LinkedHashMap<>();
        Map<String, CompletableFuture<List<Resource>>> fetches = new LinkedHashMap<>();
        for (Map.Entry<String, String> template : templates.entrySet()) {
            String key = template.getKey();
            PrefetchValue sent = request.prefetch().get(key);
            if (sent instanceof PrefetchValue.KnownAbsent) {
                continue;
            }
            if (sent instanceof PrefetchValue.Present present) {
                present.entries().forEach(entry -> add(byId, entry));
                continue;
            }
            if (request.fhirServer() == null) {
                throw new RequiredDataUnavailableException(RequiredDataUnavailableException.Cause.NOT_PROVIDED, "Prefetch '" + key + "' (" + template.getValue() + ") was "
                        + (sent == null ? "not sent" : "a failed prefetch") + " and the request has no fhirServer to fetch it from");
            }
            String query = fill(template.getValue(), request.contextTokens());
            fetches.put(key, fetchAsync(request, query));
        }
        for (Map.Entry<String, CompletableFuture<List<Resource>>> fetch : fetches.entrySet()) {
            fetchedOrFail(fetch.getKey(), fetch.getValue(), deadline, fetches).forEach(resource -> add(byId, resource));
        }
        // Draft orders last: the EHR's working copy wins over any stored version of the same order.
        request.ordersInScope().forEach(order -> add(byId, order));
        fetchMedicationsOfDraftOrders(request, byId, deadline);
        return new ChartData(new ArrayList<>(byId.values()), parseHelpers);
    }

    /**
     * A draft order may name its drug by reference to a Medication the EHR did not send (no
     * template can ask for it). Fetch it; without it the drug is unknown and no rule could judge
     * the order, so that is a 412 rather than a silent "no cards".
     */
    private void fetchMedicationsOfDraftOrders(HookRequest request, Map<Object, ChartData.Entry> byId, Instant deadline) {
        Map<String, CompletableFuture<List<Resource>>> fetches = new LinkedHashMap<>();
        for (Resource order : request.ordersInScope()) {
            if (!(order instanceof MedicationRequest medicationRequest) || !medicationRequest.hasMedicationReference()) {
                continue;
            }
            IIdType reference = medicationRequest.getMedicationReference().getReferenceElement();
            String id = "Medication/" + reference.getIdPart();
            if (reference.isLocal() || !"Medication".equals(reference.getResourceType()) || byId.containsKey(id)
                    || fetches.containsKey(id)) {
                continue;
            }
            if (request.fhirServer() == null) {
                throw new RequiredDataUnavailableException(RequiredDataUnavailableException.Cause.NOT_PROVIDED, "Draft order " + medicationRequest.getIdElement().getIdPart()
                        + " names " + id + ", which was not sent, and the request has no fhirServer to fetch it from");
            }
            fetches.put(id, fetchAsync(request, id));
        }
        for (Map.Entry<String, CompletableFuture<List<Resource>>> fetch : fetches.entrySet()) {
            fetchedOrFail(fetch.getKey(), fetch.getValue(), deadline, fetches).forEach(resource -> add(byId, resource));
        }
    }

    private List<Resource> fetchedOrFail(String key, CompletableFuture<List<Resource>> fetch, Instant deadline,
            Map<String, CompletableFuture<List<Resource>>> all) {
        long remaining = Duration.between(Instant.now(), deadline).toMillis();
        try {
            return fetch.get(Math.max(remaining, 0), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            metrics.counter("legcramp.fhir.fetch.failures", "reason", "deadline").increment();
            all.values().forEach(f -> f.cancel(true));
            log.warn("FHIR fetch for '{}' missed the request deadline", loggableKey(key));
            throw new RequiredDataUnavailableException(RequiredDataUnavailableException.Cause.TIMED_OUT,
                    "The FHIR server did not answer within the request deadline for '" + key + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequiredDataUnavailableException(RequiredDataUnavailableException.Cause.TIMED_OUT,
                    "Interrupted while fetching '" + key + "'");
        } catch (ExecutionException e) {
            all.values().forEach(f -> f.cancel(true));
            RequiredDataUnavailableException failure = FetchFailures.describe(key, e.getCause());
            metrics.counter("legcramp.fhir.fetch.failures", "reason", failure.reason().code()).increment();
            log.warn("FHIR fetch for '{}' failed: {}", loggableKey(key), failure.reason().code());
            throw failure;
        }
    }

    /** The prefetch key, or just "Medication" for a referenced Medication (its id is the patient's data). */
    private static String loggableKey(String key) {
        return key.startsWith("Medication/") ? "Medication" : key;
    }

    private static void add(Map<Object, ChartData.Entry> byId, Resource resource) {
        add(byId, new ChartData.Parsed(resource));
    }

    /** By Type/id: a later copy of a resource replaces an earlier one where it stood. One without an id is its own. */
    private static void add(Map<Object, ChartData.Entry> byId, ChartData.Entry entry) {
        byId.put(entry.key() == null ? new Object() : entry.key(), entry);
    }

    static String fill(String template, Map<String, String> tokens) {
        Matcher matcher = TOKEN.matcher(template);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            String value = tokens.get(matcher.group(1).trim());
            if (value == null) {
                throw new IllegalStateException("Prefetch token {{" + matcher.group(1) + "}} has no value");
            }
            matcher.appendReplacement(filled, Matcher.quoteReplacement(
                    java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)));
        }
        matcher.appendTail(filled);
        return filled.toString();
    }
}
