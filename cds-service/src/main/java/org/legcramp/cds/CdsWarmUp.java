package org.legcramp.cds;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.prefetch.FhirFetcher;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Evaluates every service on a synthetic patient, and gathers every service's prefetch through the
 * FHIR client from a loopback server ({@link WarmUpFhirServer}), before the service reports ready
 * (readiness turns to ACCEPTING_TRAFFIC only after runners finish), so the first EHR call is not
 * the one that pays for class loading and JIT: before the client was warmed, the first call that
 * fetched took 1.2 s against 0.12 s later, and missed the deadline once.
 */
@Component
class CdsWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(CdsWarmUp.class);
    private static final int ROUNDS = 50;
    private static final int FETCH_ROUNDS = 2;

    private final RuleCatalog catalog;
    private final CqlEvaluator evaluator;
    /** The service's own fetcher and fetch threads, timed into a registry of its own (no warm-up in the metrics). */
    private final PatientDataAssembler fetches;

    CdsWarmUp(RuleCatalog catalog, CqlEvaluator evaluator, FhirFetcher fetcher,
            @Qualifier("fhirFetchPool") ExecutorService fhirFetchPool) {
        this.catalog = catalog;
        this.evaluator = evaluator;
        this.fetches = new PatientDataAssembler(fetcher, fhirFetchPool, new SimpleMeterRegistry());
    }

    @Override
    public void run(ApplicationArguments args) {
        long started = System.nanoTime();
        Patient patient = new Patient();
        patient.setId("warm-up");
        for (int round = 0; round < ROUNDS; round++) {
            for (CdsService service : catalog.services()) {
                evaluator.evaluate(service.libraryName(), "warm-up", List.of(patient), ZonedDateTime.now(), Map.of(),
                        service.definesUsed(), false);
            }
        }
        long evaluated = System.nanoTime();
        long fetched = warmUpFhirClient();
        log.info("Warmed up {} services in {} ms and {} FHIR fetches in {} ms; ready {} ms after JVM start",
                catalog.services().size(), (evaluated - started) / 1_000_000, fetched, (System.nanoTime() - evaluated) / 1_000_000,
                System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    /**
     * Each service's prefetch, left out of a synthetic request, fetched from the loopback server
     * with a bearer token; order hooks with a draft order naming a Medication to read.
     */
    private long warmUpFhirClient() {
        long fetched = 0;
        try (WarmUpFhirServer server = new WarmUpFhirServer()) {
            for (int round = 0; round < FETCH_ROUNDS; round++) {
                for (CdsService service : catalog.services()) {
                    boolean orders = service.hook() != Hook.PATIENT_VIEW;
                    MedicationRequest draft = new MedicationRequest();
                    draft.setId("warm-up-order");
                    draft.setMedication(new Reference("Medication/warm-up"));
                    HookRequest request = new HookRequest(service.hook(), "warm-up", server.baseUrl(), "warm-up-token",
                            "warm-up", "Practitioner/warm-up", orders ? List.of(draft) : List.of(),
                            orders ? Set.of("MedicationRequest/warm-up-order") : Set.of(), Map.of());
                    fetches.assemble(service, request, Instant.now().plusSeconds(10));
                    fetched += service.prefetch().size() + (orders ? 1 : 0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // A warm-up that cannot open a loopback port must not keep the service from starting.
            log.warn("FHIR client warm-up skipped: {}", e.toString());
        }
        return fetched;
    }
}
