package org.legcramp.cds;

import java.lang.management.ManagementFactory;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Patient;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Evaluates every service on a synthetic patient before the service reports ready (readiness
 * turns to ACCEPTING_TRAFFIC only after runners finish), so the first EHR call is not the one
 * that pays for class loading and JIT.
 */
@Component
class CdsWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(CdsWarmUp.class);
    private static final int ROUNDS = 50;

    private final RuleCatalog catalog;
    private final CqlEvaluator evaluator;

    CdsWarmUp(RuleCatalog catalog, CqlEvaluator evaluator) {
        this.catalog = catalog;
        this.evaluator = evaluator;
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
        log.info("Warmed up {} services in {} ms; ready {} ms after JVM start", catalog.services().size(),
                (System.nanoTime() - started) / 1_000_000,
                System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
    }
}
