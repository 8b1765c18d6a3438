package org.legcramp.cds.hooks;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.cards.Explanations;
import org.legcramp.cds.cql.ChartData;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.EvaluationAbandonedException;
import org.legcramp.cds.feedback.CardLedger;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.monitoring.RepeatSuppression;
import org.legcramp.cds.monitoring.RuleEvaluations;
import org.legcramp.cds.monitoring.RuleMode;
import org.legcramp.cds.monitoring.RuleModes;
import org.legcramp.cds.monitoring.TrafficClass;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.ServiceGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * One hook call, start to finish: gather the patient's data within the deadline, evaluate the
 * service's CQL on it with the request time as "now", and turn the results into cards. The
 * deadline covers the whole call: evaluation runs on a bounded pool, and past the deadline the
 * caller gets a 503 while the evaluation is interrupted; it also stops on its own at the deadline,
 * which travels with the call's data (see InterruptibleDataProvider).
 * Rules that are off are not evaluated; silent rules are evaluated and counted, and show nothing;
 * on order-sign a card already shown on order-select for the same draft order is not repeated
 * (RepeatSuppression). Every rule evaluated is counted, fired or not (RuleEvaluations).
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
    private final ExecutorService evaluationPool;
    private final RuleModes modes;
    private final RepeatSuppression repeats;
    private final RuleEvaluations evaluations;

    public HookProcessor(PatientDataAssembler dataAssembler, CqlEvaluator evaluator, CardBuilder cardBuilder,
            CdsProperties properties, CardLedger ledger, MeterRegistry metrics,
            @Qualifier("hookEvaluationPool") ExecutorService evaluationPool, RuleModes modes, RepeatSuppression repeats,
            RuleEvaluations evaluations) {
        this.modes = modes;
        this.repeats = repeats;
        this.evaluations = evaluations;
        this.metrics = metrics;
        this.dataAssembler = dataAssembler;
        this.evaluator = evaluator;
        this.cardBuilder = cardBuilder;
        this.properties = properties;
        this.ledger = ledger;
        this.evaluationPool = evaluationPool;
    }

    /**
     * @param serviceBaseUrl where the EHR reached this service; the base of links to our own pages
     * @param explain add the "why this card" explanation to each card
     * @throws DeadlineExceededException when the cards cannot be had within the deadline
     */
    public List<Card> process(CdsService service, HookRequest request, Instant receivedAt, URI serviceBaseUrl,
            boolean explain) {
        return processAll(ServiceGroup.of(service), request, receivedAt, serviceBaseUrl, explain, TrafficClass.CLINICAL);
    }

    /**
     * The rules of the service called (one, or every rule of a hook) on one request: their
     * evaluations run side by side on the evaluation pool, on data gathered once for them all, under
     * the one deadline of the call; the cards come back in the order of the rules.
     */
    public List<Card> processAll(ServiceGroup called, HookRequest request, Instant receivedAt, URI serviceBaseUrl,
            boolean explain, TrafficClass traffic) {
        return processAll(called, request, receivedAt, serviceBaseUrl, explain, traffic, notFired -> {});
    }

    /**
     * As above; with {@code explain}, each card of a rule that did not fire is explained to
     * {@code silence} (its service, summary, and the defines that decided it with their values and
     * resources), so a caller can say why no card came as well as why one did.
     */
    public List<Card> processAll(ServiceGroup called, HookRequest request, Instant receivedAt, URI serviceBaseUrl,
            boolean explain, TrafficClass traffic, java.util.function.Consumer<Map<String, Object>> silence) {
        List<CdsService> services = called.members().stream().filter(service -> modes.mode(service) != RuleMode.OFF).toList();
        if (services.isEmpty()) {
            return List.of();
        }
        Instant deadline = receivedAt.plus(properties.requestDeadline());
        ZonedDateTime evaluatedAt = ZonedDateTime.ofInstant(receivedAt, ZoneOffset.UTC);
        List<Future<List<Card>>> running = new ArrayList<>();
        try {
            // Gathered once for all the rules (a prefetch key the EHR did not send is fetched once, not
            // once per rule), and shared by their evaluations: the rules of a hook read the same orders.
            ChartData data = stage(called.id(), "data", () -> dataAssembler.assemble(prefetchOf(called, services),
                    request, deadline));
            CqlEvaluator.SharedCall call = evaluator.share(request.patientId(), data, evaluatedAt, deadline);
            for (CdsService service : services) {
                running.add(submit(service, deadline, () -> {
                    // An explanation shows every define's value; cards alone need only the defines they read.
                    var evaluation = stage(service.id(), "evaluation", () -> explain
                            ? evaluator.evaluate(service.libraryName(), call, null, values -> List.of())
                            : service.evaluateForCards(evaluator, call));
                    if (explain) {
                        Explanations.ofSilence(service, evaluation).forEach(silence);
                    }
                    return stage(service.id(), "cards", () -> cardBuilder.cards(service, evaluation, request.patientId(),
                            serviceBaseUrl, explain));
                }));
            }
            List<List<Card>> cardsByService = new ArrayList<>();
            for (int i = 0; i < services.size(); i++) {
                cardsByService.add(await(services.get(i), running.get(i), deadline));
            }
            // Recorded only once every service has its cards: an answer that is a 503 issued none.
            Timer.Sample recording = Timer.start(metrics);
            Instant now = Instant.now();
            List<Card> all = new ArrayList<>();
            List<RuleEvaluations.Evaluation> counted = new ArrayList<>();
            for (int i = 0; i < services.size(); i++) {
                CdsService service = services.get(i);
                List<Card> fired = cardsByService.get(i);
                if (modes.mode(service) == RuleMode.SILENT) {
                    counted.add(new RuleEvaluations.Evaluation(service, fired.isEmpty()
                            ? RuleEvaluations.Outcome.NOT_FIRED : RuleEvaluations.Outcome.SILENT, fired.size()));
                    fired.forEach(card -> metrics.counter("legcramp.cards.silent", "service", service.id(), "indicator",
                            card.indicator()).increment());
                    continue;
                }
                List<Card> cards = withoutRepeats(service, request, fired, now);
                counted.add(new RuleEvaluations.Evaluation(service, fired.isEmpty() ? RuleEvaluations.Outcome.NOT_FIRED
                        : cards.isEmpty() ? RuleEvaluations.Outcome.SUPPRESSED : RuleEvaluations.Outcome.FIRED, cards.size()));
                recordIssued(service, request, cards, traffic, now);
                cards.forEach(card -> metrics.counter("legcramp.cards.issued", "service", service.id(), "indicator",
                        card.indicator()).increment());
                all.addAll(cards);
            }
            recordEvaluations(counted, traffic, now);
            // Repeat checks, the ledger and the firing counts: on the response path, so timed on their own.
            recording.stop(metrics.timer("legcramp.hook.stage", "service", called.id(), "stage", "record"));
            return all;
        } finally {
            running.forEach(future -> future.cancel(true)); // a no-op for the finished ones
        }
    }

    /** Starts the work on the evaluation pool, unless reading and gathering the data used the whole budget. */
    private Future<List<Card>> submit(CdsService service, Instant deadline, java.util.function.Supplier<List<Card>> work) {
        if (!Instant.now().isBefore(deadline)) {
            throw deadlineMissed(service);
        }
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try {
            return evaluationPool.submit(() -> {
                if (logContext != null) {
                    MDC.setContextMap(logContext);
                }
                try {
                    return work.get();
                } catch (EvaluationAbandonedException e) {
                    metrics.counter("legcramp.hook.evaluations.abandoned", "service", service.id()).increment();
                    throw e;
                } finally {
                    MDC.clear();
                }
            });
        } catch (RejectedExecutionException e) {
            metrics.counter("legcramp.hook.evaluations.rejected", "service", service.id()).increment();
            throw new DeadlineExceededException("The service is at capacity and cannot evaluate this call within its deadline");
        }
    }

    /** Waits for the work until the deadline; past it, interrupts it and answers 503. */
    private List<Card> await(CdsService service, Future<List<Card>> running, Instant deadline) {
        long remaining = Duration.between(Instant.now(), deadline).toNanos();
        try {
            return running.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw deadlineMissed(service);
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("The call was interrupted before its cards were ready");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EvaluationAbandonedException) {
                throw deadlineMissed(service); // it reached the deadline before this wait did
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("Evaluation failed", e.getCause());
        }
    }

    private DeadlineExceededException deadlineMissed(CdsService service) {
        long budget = properties.requestDeadline().toMillis();
        log.warn("service={} missed the request deadline of {} ms; evaluation stopped", service.id(), budget);
        metrics.counter("legcramp.hook.deadline.missed", "service", service.id()).increment();
        return new DeadlineExceededException("The rules were not evaluated within the request deadline (" + budget
                + " ms); no cards for this call");
    }

    /**
     * The prefetch templates of the rules that run: the called service's, less the keys only rules
     * that are off read (a key's template is the service's, which covers every rule reading it).
     */
    private static Map<String, String> prefetchOf(ServiceGroup called, List<CdsService> running) {
        if (running.size() == called.members().size()) {
            return called.prefetch();
        }
        Map<String, String> templates = new java.util.LinkedHashMap<>(called.prefetch());
        templates.keySet().removeIf(key -> running.stream().noneMatch(service -> service.prefetch().containsKey(key)));
        return templates;
    }

    /** Times one stage of a hook call: legcramp.hook.stage{service, stage}. */
    private <T> T stage(String service, String stage, java.util.function.Supplier<T> work) {
        Timer.Sample sample = Timer.start(metrics);
        try {
            return work.get();
        } finally {
            sample.stop(metrics.timer("legcramp.hook.stage", "service", service, "stage", stage));
        }
    }

    /** The ledger makes feedback analysable; a ledger outage must not keep cards from the clinician. */
    private void recordIssued(CdsService service, HookRequest request, List<Card> cards, TrafficClass traffic, Instant now) {
        if (cards.isEmpty()) {
            return;
        }
        try {
            ledger.recordIssued(service, request.hookInstance(), cards, now, traffic.id());
            repeats.remember(service, request, cards, now);
        } catch (DataAccessException e) {
            log.error("Could not record {} issued card(s) of service {}: {}", cards.size(), service.id(), e.getClass().getSimpleName());
        }
    }

    /** A repeat check that cannot reach the database shows the card: better a repeat than a missed warning. */
    private List<Card> withoutRepeats(CdsService service, HookRequest request, List<Card> cards, Instant now) {
        try {
            return repeats.withoutRepeats(service, request, cards, now);
        } catch (DataAccessException e) {
            log.error("Could not check repeats of service {}: {}", service.id(), e.getClass().getSimpleName());
            return cards;
        }
    }

    private void recordEvaluations(List<RuleEvaluations.Evaluation> counted, TrafficClass traffic, Instant now) {
        try {
            evaluations.record(counted, traffic, now);
        } catch (DataAccessException e) {
            log.error("Could not count {} rule evaluation(s): {}", counted.size(), e.getClass().getSimpleName());
        }
    }
}
