package org.legcramp.cds.cql;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import kotlin.Pair;
import kotlin.Unit;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.Environment;
import org.opencds.cqf.cql.engine.execution.EvaluationResult;
import org.opencds.cqf.cql.engine.execution.EvaluationResults;
import org.opencds.cqf.cql.engine.execution.ExpressionResult;

/**
 * Evaluates a content library for one patient on that patient's data, in memory. Knows nothing of
 * HTTP or CDS Hooks: callers hand it resources and an evaluation time, and get define values back.
 */
public final class CqlEvaluator {

    static final String FHIR_MODEL_URI = "http://hl7.org/fhir";
    private static final String PATIENT_CONTEXT = "Patient";

    private final CqlLibraries libraries;
    private final InMemoryTerminologyProvider terminology;
    /**
     * A define's value is computed once per evaluation, however often it is referenced (the engine
     * re-evaluates each reference otherwise: shared defines such as a diuretic's first prescription
     * are read by several others). It is what CQL means: a define has one value per patient and
     * evaluation time. cqf-fhir-cr's PlanDefinition/$apply evaluates with this option too.
     */
    private static final Set<CqlEngine.Options> OPTIONS = Set.of(CqlEngine.Options.EnableExpressionCaching);
    private static final Set<CqlEngine.Options> COVERAGE_OPTIONS =
            Set.of(CqlEngine.Options.EnableExpressionCaching, CqlEngine.Options.EnableCoverageCollection);

    private final CachingR4FhirModelResolver modelResolver;

    public CqlEvaluator(CqlLibraries libraries, InMemoryTerminologyProvider terminology, FhirContext fhirContext) {
        this(libraries, terminology, new CachingR4FhirModelResolver(fhirContext));
    }

    private CqlEvaluator(CqlLibraries libraries, InMemoryTerminologyProvider terminology,
            CachingR4FhirModelResolver modelResolver) {
        this.libraries = libraries;
        this.terminology = terminology;
        this.modelResolver = modelResolver;
    }

    /** The same terminology and model, evaluating another library set (the workbench's edited CQL). */
    public CqlEvaluator withLibraries(CqlLibraries other) {
        return new CqlEvaluator(other, terminology, modelResolver);
    }

    public CqlLibraries libraries() {
        return libraries;
    }

    /**
     * @param libraryName content library to evaluate (every define)
     * @param patientId the Patient context value
     * @param data the patient's resources (the request's prefetch, fetched data and draft orders)
     * @param evaluationTime "now" for the CQL, the request's own time so that results are reproducible
     * @param parameters values for the library's parameters; absent ones take their CQL defaults
     */
    public Evaluation evaluate(String libraryName, String patientId, Collection<? extends Resource> data,
            ZonedDateTime evaluationTime, Map<String, Object> parameters) {
        return evaluate(libraryName, patientId, data, evaluationTime, parameters, false);
    }

    /**
     * As above; with {@code collectCoverage}, the engine also records which parts of the CQL ran
     * (for the informaticists' case runner), returned as LCOV.
     */
    public Evaluation evaluate(String libraryName, String patientId, Collection<? extends Resource> data,
            ZonedDateTime evaluationTime, Map<String, Object> parameters, boolean collectCoverage) {
        return evaluate(libraryName, patientId, data, evaluationTime, parameters, null, collectCoverage);
    }

    /**
     * As above, evaluating only the named defines (and whatever they reference); the others are
     * absent from the result. A hook call needs the few its cards read, not the whole library.
     *
     * @param defines names of the defines to evaluate; null for every define
     */
    public Evaluation evaluate(String libraryName, String patientId, Collection<? extends Resource> data,
            ZonedDateTime evaluationTime, Map<String, Object> parameters, Collection<String> defines,
            boolean collectCoverage) {
        return evaluate(libraryName, patientId, data, evaluationTime, parameters, defines, values -> List.of(),
                collectCoverage);
    }

    /**
     * In two stages on one engine and one data index: first the named defines, then those that
     * {@code then} asks for given the first stage's values (e.g. the detail of the cards whose
     * condition held). The result holds both.
     *
     * @param defines names of the first stage's defines; null for every define (no second stage then)
     */
    public Evaluation evaluate(String libraryName, String patientId, Collection<? extends Resource> data,
            ZonedDateTime evaluationTime, Map<String, Object> parameters, Collection<String> defines,
            Function<Map<String, Object>, Collection<String>> then, boolean collectCoverage) {
        return evaluate(libraryName, patientId, new InMemoryRetrieveProvider(data, modelResolver, terminology), null,
                evaluationTime, parameters, defines, then, collectCoverage);
    }

    /**
     * The data of one hook call (one patient), for the several rules it evaluates side by side: indexed once, and
     * with one value per define of a library they include, whichever rule evaluates it first (the
     * rules of a hook share LegCrampCommon's orders and conditions, and each evaluated them again).
     * That is the value each would compute: the same data, the same evaluation time, and no
     * parameter given (a rule's parameters are its own library's; an included library's defaults
     * hold). Safe across threads: defines are pure, so two rules computing one at once agree.
     *
     * @param deadline past it, every evaluation of the call stops (EvaluationAbandonedException),
     *        whichever thread runs it; null for none
     */
    public SharedCall share(String patientId, Collection<? extends Resource> data, ZonedDateTime evaluationTime,
            java.time.Instant deadline) {
        return share(patientId, ChartData.of(data), evaluationTime, deadline);
    }

    /** As above, on data whose resources are parsed as the rules read them. */
    public SharedCall share(String patientId, ChartData data, ZonedDateTime evaluationTime,
            java.time.Instant deadline) {
        long deadlineNanos = deadline == null ? InterruptibleDataProvider.NO_DEADLINE
                : System.nanoTime() + Math.max(0, java.time.Duration.between(java.time.Instant.now(), deadline).toNanos());
        return new SharedCall(patientId, new InMemoryRetrieveProvider(data, modelResolver, terminology), evaluationTime,
                deadlineNanos);
    }

    /** See {@link #share}. */
    public static final class SharedCall {
        private final String patientId;
        private final InMemoryRetrieveProvider retrieve;
        private final ZonedDateTime evaluationTime;
        private final long deadlineNanos;
        private final Map<VersionedIdentifier, Map<String, ExpressionResult>> valuesByLibrary = new ConcurrentHashMap<>();

        private SharedCall(String patientId, InMemoryRetrieveProvider retrieve, ZonedDateTime evaluationTime,
                long deadlineNanos) {
            this.patientId = patientId;
            this.retrieve = retrieve;
            this.evaluationTime = evaluationTime;
            this.deadlineNanos = deadlineNanos;
        }

        /** The engine's own define cache, pointed at the shared values of the libraries the rule includes. */
        private void shareIncludedValues(CqlEngine engine, CqlLibraries libraries, String libraryName) {
            // The engine empties its define cache when the context value changes: set it first, as the evaluation will.
            engine.getState().setContextValue(PATIENT_CONTEXT, patientId);
            VersionedIdentifier own = libraries.identifier(libraryName);
            for (VersionedIdentifier included : libraries.contentIdentifiersUsedBy(libraryName)) {
                if (included != own) {
                    engine.getState().getCache().getExpressions().put(included,
                            valuesByLibrary.computeIfAbsent(included, id -> new ConcurrentHashMap<>()));
                }
            }
        }
    }

    /** One rule of a hook call on the call's shared data (see {@link #share}): its card defines, then those of the cards that apply. */
    public Evaluation evaluate(String libraryName, SharedCall call, Collection<String> defines,
            Function<Map<String, Object>, Collection<String>> then) {
        return evaluate(libraryName, call.patientId, call.retrieve, call, call.evaluationTime, Map.of(), defines, then, false);
    }

    private Evaluation evaluate(String libraryName, String patientId, InMemoryRetrieveProvider retrieve, SharedCall call,
            ZonedDateTime evaluationTime, Map<String, Object> parameters, Collection<String> defines,
            Function<Map<String, Object>, Collection<String>> then, boolean collectCoverage) {
        var environment = new Environment(libraries.libraryManager(),
                Map.of(FHIR_MODEL_URI, new InterruptibleDataProvider(modelResolver, retrieve,
                        call == null ? InterruptibleDataProvider.NO_DEADLINE : call.deadlineNanos)), terminology);
        var engine = new CqlEngine(environment, collectCoverage ? COVERAGE_OPTIONS : OPTIONS);
        if (call != null) {
            call.shareIncludedValues(engine, libraries, libraryName);
        }
        VersionedIdentifier identifier = libraries.identifier(libraryName);
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Set<Object>> evaluatedResources = new LinkedHashMap<>();
        run(engine, identifier, libraryName, patientId, evaluationTime, parameters, defines, values, evaluatedResources);
        if (defines != null) {
            List<String> next = then.apply(values).stream().filter(define -> !values.containsKey(define)).toList();
            if (!next.isEmpty()) {
                run(engine, identifier, libraryName, patientId, evaluationTime, parameters, next, values, evaluatedResources);
            }
        }
        String lcov = collectCoverage
                ? engine.getState().getGlobalCoverage().exportLcovInfo(libraries.contentIdentifiersUsedBy(libraryName))
                : null;
        return new Evaluation(libraryName, values, evaluatedResources, lcov, libraries, evaluationTime,
                parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters)));
    }

    private void run(CqlEngine engine, VersionedIdentifier identifier, String libraryName, String patientId,
            ZonedDateTime evaluationTime, Map<String, Object> parameters, Collection<String> defines,
            Map<String, Object> values, Map<String, Set<Object>> evaluatedResources) {
        EvaluationResults results;
        try {
            results = engine.evaluate(params -> {
                params.library(identifier, library -> {
                    if (defines != null) {
                        library.expressions(defines);
                    }
                    return Unit.INSTANCE;
                });
                params.setContextParameter(new Pair<>(PATIENT_CONTEXT, patientId));
                params.setParameters(parameters);
                params.setEvaluationDateTime(evaluationTime);
                return Unit.INSTANCE;
            });
        } catch (RuntimeException e) {
            if (abandoned(e)) {
                throw new EvaluationAbandonedException();
            }
            throw invalidData(e).orElse(e);
        }
        if (Thread.currentThread().isInterrupted() || results.getExceptions().values().stream().anyMatch(CqlEvaluator::abandoned)) {
            // The engine records what stopped it in ways that vary; an abandoned evaluation has no results.
            throw new EvaluationAbandonedException();
        }
        EvaluationResult result = results.getResultFor(identifier);
        if (result == null || results.containsExceptionsFor(identifier)) {
            // The engine keys a failure by the identifier it loaded, which need not equal ours; one library, one failure.
            RuntimeException failure = results.getExceptions().values().stream().findFirst()
                    .orElseGet(() -> new IllegalStateException("the engine returned no result"));
            throw invalidData(failure).orElseGet(() -> new CqlEvaluationException(libraryName, failure));
        }
        result.getExpressionResults().forEach((name, expression) -> {
            values.put(name, expression.getValue());
            evaluatedResources.put(name, expression.getEvaluatedResources());
        });
    }

    /** The request's error for an invalid resource a rule read, however the engine wrapped it: not a content error. */
    private static java.util.Optional<RuntimeException> invalidData(Throwable failure) {
        return causeOf(failure, InvalidChartDataException.class).map(InvalidChartDataException::requestError);
    }

    /** The engine wraps what a data provider throws; an abandoned evaluation is not a content error. */
    private static boolean abandoned(Throwable failure) {
        return causeOf(failure, EvaluationAbandonedException.class).isPresent() || Thread.currentThread().isInterrupted();
    }

    private static <T extends Throwable> java.util.Optional<T> causeOf(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return java.util.Optional.of(type.cast(cause));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The value of each define of one library for one patient, the resources each define read (its
     * evidence), and, when asked for, the engine's coverage as LCOV; with what it was evaluated on
     * (the library set, "now", the parameter values given), so that it can be explained.
     */
    public record Evaluation(String libraryName, Map<String, Object> values, Map<String, Set<Object>> evaluatedResources,
            String lcov, CqlLibraries libraries, ZonedDateTime evaluatedAt, Map<String, Object> parameters) {

        /** For each define, the ids ({@code Type/id}) of the resources it read; formatted only when asked for. */
        public Map<String, List<String>> resourcesBehind() {
            Map<String, List<String>> ids = new LinkedHashMap<>();
            evaluatedResources.forEach((name, resources) -> ids.put(name, resources.stream()
                    .filter(Resource.class::isInstance).map(Resource.class::cast)
                    .map(r -> r.fhirType() + "/" + r.getIdElement().getIdPart()).distinct().sorted().toList()));
            return ids;
        }

        public Object value(String define) {
            if (!values.containsKey(define)) {
                throw new IllegalArgumentException(libraryName + " has no define named \"" + define + "\"");
            }
            return values.get(define);
        }
    }
}
