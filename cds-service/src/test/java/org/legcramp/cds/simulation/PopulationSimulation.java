package org.legcramp.cds.simulation;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.legcramp.cds.benchmark.ChartAnswers;
import org.legcramp.cds.benchmark.InProcessHookCalls;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.rules.ServiceGroup;

/**
 * {@code ./simulate}: what every rule would cost in alerts at a site, before it goes live. Runs every
 * rule (whatever its configured mode) on each hook over a population, with each order hook's typical
 * draft orders ({@code simulation/drafts.json}) written one at a time, through the service's own
 * parser, evaluator and card builder (no HTTP, no database). Patients are read one at a time and
 * evaluated in parallel on all cores, at most two per core in memory.
 *
 * <p>Prints one line per rule and hook, {@code rule=<id> hook=<hook> patients=<n> fired=<n> per1000=<x>}
 * (fired: calls on which the rule gave a card; per1000: per 1,000 calls; then calls= and patientsFired=),
 * and writes {@code target/simulation/report.md} and {@code firing-rates.svg}: the rates per draft,
 * each hook's alert rate (calls with any card), evaluation errors and the slowest patients.
 *
 * <p>Arguments: {@code population=<folder of FHIR Bundles or Bulk Data NDJSON>}, {@code drafts=<file>}
 * (default simulation/drafts.json), {@code out=<folder>} (default target/simulation), {@code label=<text>}.
 */
public final class PopulationSimulation {

    /** A hook call slower than this makes its patient a slow patient. */
    static final double SLOW_MS = 500;

    private final ObjectMapper json = new ObjectMapper();
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final InProcessHookCalls calls;
    private final RuleCatalog catalog;
    private final Drafts drafts;
    private final ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);

    // results, guarded by this
    private final Map<String, RuleHook> byRuleHook = new TreeMap<>();
    private final Map<Hook, long[]> alertRate = new LinkedHashMap<>(); // calls, calls with any card
    private final List<PatientTime> times = new ArrayList<>();
    private final Map<String, Integer> errorKinds = new TreeMap<>();
    private int patients;
    private int deceased;
    private long resources;

    /** One rule on one hook. */
    static final class RuleHook {
        final String rule;
        final String hook;
        long calls;
        long fired;
        long errors;
        final Set<String> patientsSeen = new HashSet<>();
        final Set<String> patientsFired = new HashSet<>();
        final Map<String, long[]> byDraft = new LinkedHashMap<>(); // draft label -> calls, fired

        RuleHook(String rule, String hook) {
            this.rule = rule;
            this.hook = hook;
        }

        double per1000() {
            return calls == 0 ? 0 : 1000.0 * fired / calls;
        }
    }

    /** @param source where the patient came from (a file name), never its data */
    record PatientTime(String source, int resources, double totalMs, double slowestCallMs, String slowestHook) {}

    /** The outcome of one run. */
    /** @param loadAverage the machine's load average at the end of the run (negative: unknown), and its cores */
    record Result(List<RuleHook> rules, Map<Hook, long[]> alertRate, int patients, int deceased, Map<String, Integer> errors,
            List<PatientTime> times, double loadAverage, int cores) {}

    PopulationSimulation(Path root, Drafts drafts) {
        this.calls = new InProcessHookCalls(InProcessHookCalls.content(root), 200_000);
        this.catalog = calls.catalog();
        this.drafts = drafts;
        for (CdsService service : catalog.services()) {
            byRuleHook.put(service.ruleId() + "|" + service.hook().id(), new RuleHook(service.ruleId(), service.hook().id()));
        }
        for (Hook hook : Hook.values()) {
            alertRate.put(hook, new long[2]);
        }
    }

    public static void main(String[] args) throws Exception {
        // The libraries' start-up chatter would bury the per-rule lines on stdout.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path root = Path.of(System.getProperty("legcramp.root", ".")).toAbsolutePath().normalize();
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                System.err.println("Arguments are key=value: population=<folder> [drafts=<file>] [out=<folder>] [label=<text>]");
                System.exit(2);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        if (!options.containsKey("population")) {
            System.err.println("population=<folder of FHIR Bundles (*.json) or Bulk Data files (*.ndjson)> is required");
            System.exit(2);
        }
        Path population = Path.of(options.get("population"));
        Path out = Path.of(options.getOrDefault("out", root.resolve("target/simulation").toString()));
        Drafts drafts = Drafts.read(Path.of(options.getOrDefault("drafts", root.resolve("simulation/drafts.json").toString())));
        long started = System.nanoTime();
        System.err.println("Translating the rules ...");
        PopulationSimulation simulation = new PopulationSimulation(root, drafts);
        Result result = simulation.run(population, out.resolve("partitions"), true);
        double seconds = (System.nanoTime() - started) / 1e9;
        SimulationReport.write(out, result, options.getOrDefault("label", population.toString()), drafts, seconds);
        lines(result).forEach(System.out::println);
        System.out.printf(Locale.ROOT, "Simulated %d patients in %.0f s; report: %s%n", result.patients(), seconds,
                out.resolve("report.md"));
        System.exit(0);
    }

    /** The per-rule lines. */
    static List<String> lines(Result result) {
        List<String> lines = new ArrayList<>();
        for (RuleHook r : result.rules()) {
            lines.add(String.format(Locale.ROOT, "rule=%s hook=%s patients=%d fired=%d per1000=%.1f calls=%d patientsFired=%d%s",
                    r.rule, r.hook, r.patientsSeen.size(), r.fired, r.per1000(), r.calls, r.patientsFired.size(),
                    r.errors > 0 ? " errors=" + r.errors : ""));
        }
        return lines;
    }

    Result run(Path population, Path workDir, boolean progress) throws IOException, InterruptedException {
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore inFlight = new Semaphore(threads * 2);
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        PatientRecords records = new PatientRecords(prefetchedTypes());
        java.util.concurrent.atomic.AtomicBoolean warm = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            records.forEach(population, workDir, chart -> {
                if (!chart.deceased() && !warm.getAndSet(true)) {
                    warmUp(chart);
                }
                inFlight.acquireUninterruptibly();
                pool.execute(() -> {
                    try {
                        simulate(chart);
                        int n = done.incrementAndGet();
                        if (progress && n % 10 == 0) {
                            System.err.printf(Locale.ROOT, "  %d records read, %d patients evaluated (%.0f s)%n", n,
                                    evaluated(), (System.nanoTime() - started) / 1e9);
                        }
                    } finally {
                        inFlight.release();
                    }
                });
            });
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.DAYS);
        }
        synchronized (this) {
            return new Result(List.copyOf(byRuleHook.values()), alertRate, patients, deceased, errorKinds, List.copyOf(times),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), threads);
        }
    }

    private synchronized int evaluated() {
        return patients;
    }

    /**
     * Every hook call of the first patient a few times, uncounted: the engine's first calls run
     * interpreted, and would otherwise make the first patients look slow.
     */
    private void warmUp(PatientRecords.Chart chart) {
        ChartAnswers answers = new ChartAnswers(chart.byType());
        for (int round = 0; round < 3; round++) {
            for (ServiceGroup group : catalog.groups()) {
                List<Drafts.Draft> hookDrafts = group.hook().hasDraftOrders() ? drafts.of(group.hook()) : java.util.Collections.singletonList(null);
                hookDrafts.forEach(draft -> call(group, body(group, chart, answers, draft)));
            }
        }
    }

    private Set<String> prefetchedTypes() {
        Set<String> types = new HashSet<>();
        catalog.services().forEach(s -> s.prefetch().values().forEach(t -> types.add(InProcessHookCalls.typeOf(t))));
        return types;
    }

    /** Every hook for one patient: patient-view once, each order hook once per typical draft. */
    private void simulate(PatientRecords.Chart chart) {
        if (chart.deceased()) {
            synchronized (this) {
                deceased++;
            }
            return;
        }
        double total = 0;
        double slowest = 0;
        String slowestHook = null;
        ChartAnswers answers = new ChartAnswers(chart.byType());
        for (ServiceGroup group : catalog.groups()) {
            List<Drafts.Draft> hookDrafts = group.hook().hasDraftOrders() ? drafts.of(group.hook()) : java.util.Collections.singletonList(null);
            for (Drafts.Draft draft : hookDrafts) {
                JsonNode body = body(group, chart, answers, draft);
                long t = System.nanoTime();
                Map<CdsService, Object> outcome = call(group, body);
                double ms = (System.nanoTime() - t) / 1e6;
                total += ms;
                if (ms > slowest) {
                    slowest = ms;
                    slowestHook = group.hook().id() + (draft == null ? "" : " (" + draft.label() + ")");
                }
                record(group.hook(), chart, draft, outcome);
            }
        }
        synchronized (this) {
            patients++;
            resources += chart.resources();
            times.add(new PatientTime(chart.source(), chart.resources(), total, slowest, slowestHook));
        }
    }

    /** Each rule of the hook on one request: its cards, or the failure. */
    private Map<CdsService, Object> call(ServiceGroup group, JsonNode body) {
        Map<CdsService, Object> outcome = new LinkedHashMap<>();
        HookRequest request;
        try {
            request = calls.parse(body, group.hook(), group.dataNeeds());
        } catch (RuntimeException e) {
            group.members().forEach(service -> outcome.put(service, e));
            return outcome;
        }
        for (CdsService service : group.members()) {
            try {
                outcome.put(service, calls.cards(service, request, now, null));
            } catch (RuntimeException e) {
                outcome.put(service, e);
            }
        }
        return outcome;
    }

    private synchronized void record(Hook hook, PatientRecords.Chart chart, Drafts.Draft draft, Map<CdsService, Object> outcome) {
        boolean anyCard = false;
        for (var entry : outcome.entrySet()) {
            RuleHook stats = byRuleHook.get(entry.getKey().ruleId() + "|" + hook.id());
            stats.calls++;
            stats.patientsSeen.add(chart.patientId());
            long[] perDraft = stats.byDraft.computeIfAbsent(draft == null ? "-" : draft.label(), k -> new long[2]);
            perDraft[0]++;
            if (entry.getValue() instanceof RuntimeException e) {
                stats.errors++;
                errorKinds.merge(entry.getKey().id() + ": " + e.getClass().getSimpleName(), 1, Integer::sum);
            } else if (!((List<?>) entry.getValue()).isEmpty()) {
                stats.fired++;
                stats.patientsFired.add(chart.patientId());
                perDraft[1]++;
                anyCard = true;
            }
        }
        long[] rate = alertRate.get(hook);
        rate[0]++;
        if (anyCard) {
            rate[1]++;
        }
    }

    /** The request an EHR would send: the group's prefetch filled from the chart, the draft in context. */
    private JsonNode body(ServiceGroup group, PatientRecords.Chart chart, ChartAnswers answers, Drafts.Draft draft) {
        return InProcessHookCalls.request(group.hook(), "simulation-" + group.id(), "Practitioner/simulation",
                chart.patientId(), draft == null ? null : toJson(draft.order(chart.patientId())), group.prefetch(),
                answers);
    }

    private JsonNode toJson(MedicationRequest order) {
        try {
            return json.readTree(fhir.newJsonParser().encodeResourceToString(order));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Comparator<PatientTime> slowestFirst() {
        return Comparator.comparingDouble(PatientTime::slowestCallMs).reversed();
    }
}
