package org.legcramp.cds.benchmark;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.ChartData;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.InMemoryTerminologyProvider;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.hooks.HookRequestParser;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.prefetch.FhirFetcher;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.DataNeeds;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.rules.ServiceGroup;
import org.springframework.util.unit.DataSize;

/**
 * The benchmarks' hook call: the service's own parser, data assembler, evaluator and card builder
 * over a checkout's content, without HTTP, the database or the deadline pool, so that what is timed
 * is the work of a call. Limits are raised so that the largest charts are measured, not refused.
 */
public final class InProcessHookCalls {

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final ExecutorService fetchPool = Executors.newSingleThreadExecutor(InProcessHookCalls::daemon);
    private final ExecutorService evaluationPool = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), InProcessHookCalls::daemon);
    private final RuleCatalog catalog;
    private final CqlEvaluator evaluator;
    private final CardBuilder cardBuilder;
    private final HookRequestParser parser;
    private final PatientDataAssembler assembler;

    public InProcessHookCalls(KnowledgeArtifacts content, int maxResources) {
        CqlLibraries cql = RuleCatalog.compile(content);
        catalog = new RuleCatalog(content, cql);
        evaluator = new CqlEvaluator(cql, new InMemoryTerminologyProvider(content.valueSets()), fhir);
        cardBuilder = new CardBuilder(catalog, fhir);
        parser = new HookRequestParser(fhir, new CdsProperties("unused", Duration.ofMinutes(5), DataSize.ofMegabytes(400), 64,
                maxResources, maxResources, Duration.ofSeconds(2), ""));
        // Parsed as the service parses: a type's many resources in parts, beside the thread reading them.
        int helpers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        assembler = new PatientDataAssembler(new FhirFetcher(fhir, Duration.ofSeconds(2), maxResources), fetchPool,
                new SimpleMeterRegistry(), new java.util.concurrent.ThreadPoolExecutor(helpers, helpers, 0,
                        java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                        InProcessHookCalls::daemon));
    }

    public static KnowledgeArtifacts content(java.nio.file.Path root) {
        return new ContentLoader(FhirContext.forR4Cached()).load(root.toUri().toString());
    }

    private static Thread daemon(Runnable runnable) {
        Thread thread = new Thread(runnable, "in-process-hook-call");
        thread.setDaemon(true);
        return thread;
    }

    public RuleCatalog catalog() {
        return catalog;
    }

    /**
     * The rules of a per-hook service on one parsed request, as {@code HookProcessor.processAll}
     * runs them: data assembled once on the calling thread and shared, evaluations side by side on
     * one thread per core; the cards in the order of the members.
     */
    public List<Card> perHookCards(ServiceGroup group, HookRequest request, ZonedDateTime now) {
        ChartData data = assembler.assemble(group.prefetch(), request, now.toInstant().plus(Duration.ofMinutes(5)));
        CqlEvaluator.SharedCall call = evaluator.share(request.patientId(), data, now, null);
        List<Future<List<Card>>> running = new ArrayList<>();
        for (CdsService member : group.members()) {
            running.add(evaluationPool.submit(() -> cardBuilder.cards(member,
                    member.evaluateForCards(evaluator, call), request.patientId(),
                    URI.create("http://localhost/"), false)));
        }
        List<Card> cards = new ArrayList<>();
        for (Future<List<Card>> future : running) {
            try {
                cards.addAll(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return cards;
    }

    /**
     * A hook request as an EHR sends it: the draft order if any (selected, on order-select), and
     * each prefetch template answered from the chart as its FHIR server answers it, a search as a
     * searchset Bundle.
     *
     * @param draftOrder a MedicationRequest as JSON, or null for patient-view
     */
    public static ObjectNode request(Hook hook, String hookInstance, String userId, String patientId, JsonNode draftOrder,
            Map<String, String> prefetchTemplates, ChartAnswers chart) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("hook", hook.id());
        body.put("hookInstance", hookInstance);
        ObjectNode context = body.putObject("context");
        context.put("userId", userId);
        context.put("patientId", patientId);
        if (draftOrder != null) {
            ObjectNode drafts = context.putObject("draftOrders").put("resourceType", "Bundle").put("type", "collection");
            drafts.putArray("entry").addObject().set("resource", draftOrder);
            if (hook == Hook.ORDER_SELECT) {
                context.putArray("selections").add("MedicationRequest/" + draftOrder.path("id").asText());
            }
        }
        ObjectNode prefetch = body.putObject("prefetch");
        for (Map.Entry<String, String> template : prefetchTemplates.entrySet()) {
            if (typeOf(template.getValue()).equals("Patient")) {
                prefetch.set(template.getKey(), chart.patient());
                continue;
            }
            ArrayNode entries = prefetch.putObject(template.getKey()).put("resourceType", "Bundle").put("type", "searchset")
                    .putArray("entry");
            chart.search(template.getValue()).forEach(resource -> entries.addObject().set("resource", resource));
        }
        return body;
    }

    /** The resource type a prefetch template asks for ({@code Observation?patient=...}, {@code Patient/...}). */
    public static String typeOf(String template) {
        return template.substring(0, template.indexOf(template.contains("?") ? '?' : '/'));
    }

    public HookRequest parse(JsonNode body, Hook hook, DataNeeds needs) {
        return parser.parse(body, hook, needs);
    }

    /**
     * One service's cards on a parsed request, "now" as given.
     *
     * @param stage when not null, gets the milliseconds of assemble, evaluate and cards at [1], [2], [3]
     */
    public List<Card> cards(CdsService service, HookRequest request, ZonedDateTime now, double[] stage) {
        long t1 = System.nanoTime();
        ChartData data = assembler.assemble(service, request, now.toInstant().plus(Duration.ofMinutes(5)));
        long t2 = System.nanoTime();
        // As the service evaluates: the prefetch's resources parsed as the rule reads them (so within this stage).
        var evaluation = service.evaluateForCards(evaluator, evaluator.share(request.patientId(), data, now, null));
        long t3 = System.nanoTime();
        List<Card> cards = cardBuilder.cards(service, evaluation, request.patientId(), URI.create("http://localhost/"), false);
        long t4 = System.nanoTime();
        if (stage != null) {
            stage[1] = (t2 - t1) / 1e6;
            stage[2] = (t3 - t2) / 1e6;
            stage[3] = (t4 - t3) / 1e6;
        }
        return cards;
    }
}
