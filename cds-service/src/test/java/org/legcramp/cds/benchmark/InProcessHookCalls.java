package org.legcramp.cds.benchmark;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
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
import org.springframework.util.unit.DataSize;

/**
 * The benchmarks' hook call: the service's own parser, data assembler, evaluator and card builder
 * over a checkout's content, without HTTP, the database or the deadline pool, so that what is timed
 * is the work of a call. Limits are raised so that the largest charts are measured, not refused.
 */
public final class InProcessHookCalls {

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final ExecutorService fetchPool = Executors.newSingleThreadExecutor();
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
        assembler = new PatientDataAssembler(new FhirFetcher(fhir, Duration.ofSeconds(2), maxResources), fetchPool,
                new SimpleMeterRegistry());
    }

    public static KnowledgeArtifacts content(java.nio.file.Path root) {
        return new ContentLoader(FhirContext.forR4Cached()).load(root.toUri().toString());
    }

    public RuleCatalog catalog() {
        return catalog;
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
        List<Resource> data = assembler.assemble(service, request, now.toInstant().plus(Duration.ofMinutes(5)));
        long t2 = System.nanoTime();
        var evaluation = service.evaluateForCards(evaluator, request.patientId(), data, now);
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
