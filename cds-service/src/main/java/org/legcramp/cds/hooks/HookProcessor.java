package org.legcramp.cds.hooks;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.feedback.CardLedger;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.CdsService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * One hook call, start to finish: gather the patient's data within the deadline, evaluate the
 * service's CQL on it with the request time as "now", and turn the results into cards.
 */
@Component
public class HookProcessor {

    private static final Logger log = LoggerFactory.getLogger(HookProcessor.class);

    private final PatientDataAssembler dataAssembler;
    private final CqlEvaluator evaluator;
    private final CardBuilder cardBuilder;
    private final CdsProperties properties;
    private final CardLedger ledger;
    private final MeterRegistry metrics;

    public HookProcessor(PatientDataAssembler dataAssembler, CqlEvaluator evaluator, CardBuilder cardBuilder,
            CdsProperties properties, CardLedger ledger, MeterRegistry metrics) {
        this.metrics = metrics;
        this.dataAssembler = dataAssembler;
        this.evaluator = evaluator;
        this.cardBuilder = cardBuilder;
        this.properties = properties;
        this.ledger = ledger;
    }

    /**
     * @param serviceBaseUrl where the EHR reached this service; the base of links to our own pages
     * @param explain add the "why this card" explanation to each card
     */
    public List<Card> process(CdsService service, HookRequest request, Instant receivedAt, URI serviceBaseUrl,
            boolean explain) {
        Instant deadline = receivedAt.plus(properties.requestDeadline());
        List<Resource> data = stage(service, "data", () -> dataAssembler.assemble(service, request, deadline));
        // An explanation shows every define's value; cards alone need only the defines they read.
        var evaluation = stage(service, "evaluation", () -> evaluator.evaluate(service.libraryName(), request.patientId(), data,
                ZonedDateTime.ofInstant(receivedAt, ZoneOffset.UTC), Map.of(), explain ? null : service.definesUsed(), false));
        List<Card> cards = stage(service, "cards", () -> {
            List<Card> built = cardBuilder.cards(service, evaluation, request.patientId(), serviceBaseUrl, explain);
            recordIssued(service, request, built);
            return built;
        });
        cards.forEach(card -> metrics.counter("legcramp.cards.issued", "service", service.id(), "indicator", card.indicator()).increment());
        return cards;
    }

    /** Times one stage of a hook call: legcramp.hook.stage{service, stage}. */
    private <T> T stage(CdsService service, String stage, java.util.function.Supplier<T> work) {
        Timer.Sample sample = Timer.start(metrics);
        try {
            return work.get();
        } finally {
            sample.stop(metrics.timer("legcramp.hook.stage", "service", service.id(), "stage", stage));
        }
    }

    /** The ledger makes feedback analysable; a ledger outage must not keep cards from the clinician. */
    private void recordIssued(CdsService service, HookRequest request, List<Card> cards) {
        if (cards.isEmpty()) {
            return;
        }
        try {
            ledger.recordIssued(service, request.hookInstance(), cards, Instant.now());
        } catch (DataAccessException e) {
            log.error("Could not record {} issued card(s) of service {}: {}", cards.size(), service.id(), e.getClass().getSimpleName());
        }
    }
}
