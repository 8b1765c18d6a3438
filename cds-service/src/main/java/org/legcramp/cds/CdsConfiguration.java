package org.legcramp.cds;

import ca.uhn.fhir.context.FhirContext;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.micrometer.core.instrument.MeterRegistry;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.InMemoryTerminologyProvider;
import org.legcramp.cds.prefetch.FhirFetcher;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the content (CQL + knowledge artifacts) into the engine once, at start-up. */
@Configuration(proxyBeanMethods = false)
public class CdsConfiguration {

    @Bean
    FhirContext fhirContext() {
        return FhirContext.forR4Cached();
    }

    @Bean
    KnowledgeArtifacts knowledgeArtifacts(FhirContext fhirContext, CdsProperties properties) {
        return new ContentLoader(fhirContext).load(properties.contentLocation());
    }

    @Bean
    CqlLibraries cqlLibraries(KnowledgeArtifacts content) {
        return RuleCatalog.compile(content);
    }

    @Bean
    InMemoryTerminologyProvider terminologyProvider(KnowledgeArtifacts content) {
        return new InMemoryTerminologyProvider(content.valueSets());
    }

    @Bean
    RuleCatalog ruleCatalog(KnowledgeArtifacts content, CqlLibraries cqlLibraries) {
        return new RuleCatalog(content, cqlLibraries);
    }

    @Bean
    CardBuilder cardBuilder(RuleCatalog catalog, FhirContext fhirContext) {
        return new CardBuilder(catalog, fhirContext);
    }

    /** Threads for FHIR fetches; a fetch never outlives the request deadline (socket timeouts). */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService fhirFetchPool() {
        return Executors.newFixedThreadPool(16, daemonThreads("fhir-fetch-"));
    }

    /**
     * Threads that evaluate hook calls, so the request thread can stop waiting at the deadline.
     * Bounded: beyond the queue a call is refused at once with a 503 rather than left to time out.
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService hookEvaluationPool() {
        return boundedPool("hook-evaluation-", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Threads that parse a type's many prefetched resources beside the rule that first reads it
     * (ChartData): one fewer than the cores, as that thread parses too. They take resources from its
     * own list, so a helper that starts late finds less or nothing left: the queue never holds a call up.
     */
    @Bean(destroyMethod = "shutdownNow")
    ThreadPoolExecutor hookParseHelpers() {
        return boundedPool("hook-parse-", Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** A fixed pool whose queue holds at most 16 tasks per thread (beyond that, execute refuses). */
    private static ThreadPoolExecutor boundedPool(String namePrefix, int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(threads * 16),
                daemonThreads(namePrefix));
    }

    /** Numbered daemon threads: a pool never keeps the JVM from exiting. */
    private static java.util.concurrent.ThreadFactory daemonThreads(String namePrefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, namePrefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Bean
    FhirFetcher fhirFetcher(FhirContext fhirContext, CdsProperties properties) {
        return new FhirFetcher(fhirContext, min(properties.fhirFetchTimeout(), properties.requestDeadline()),
                properties.maxFetchedResources());
    }

    @Bean
    PatientDataAssembler patientDataAssembler(FhirFetcher fhirFetcher, @Qualifier("fhirFetchPool") ExecutorService fhirFetchPool,
            MeterRegistry meterRegistry, @Qualifier("hookParseHelpers") ThreadPoolExecutor hookParseHelpers) {
        return new PatientDataAssembler(fhirFetcher, fhirFetchPool, meterRegistry, hookParseHelpers);
    }

    private static java.time.Duration min(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Bean
    CqlEvaluator cqlEvaluator(CqlLibraries cqlLibraries, InMemoryTerminologyProvider terminology, FhirContext fhirContext) {
        return new CqlEvaluator(cqlLibraries, terminology, fhirContext);
    }
}
