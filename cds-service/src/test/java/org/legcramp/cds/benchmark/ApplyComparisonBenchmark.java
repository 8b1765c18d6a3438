package org.legcramp.cds.benchmark;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.peer.ApplyPeer;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.simulation.PatientRecords;
import org.legcramp.cds.rules.ServiceGroup;

/**
 * {@code ./benchmark compare}: our hook calls against the reference engine (cqf-fhir-cr 4.4.0
 * {@code PlanDefinition/$apply}, {@link ApplyPeer}) on the same PlanDefinitions and the same
 * patients, interleaved in one run, on a Synthea population and on padded charts of 200, 2,000 and
 * 10,000 resources; checks that both give the same cards. Not a test: figures depend on the machine.
 *
 * <p>A hook call is every service of that hook, one after the other, for one patient and (for the
 * order hooks) one draft order; its time is the sum over those services. For each service, ours and
 * $apply run back to back (which goes first alternates between repetitions):
 * <ul>
 *   <li>ours: the in-process path of {@link ChartScalingBenchmark} from the request JSON: parse with the
 *       service's data needs, assemble, evaluate the defines the cards read, build the cards (no HTTP);</li>
 *   <li>$apply: {@link ApplyPeer#apply} on the same prefetched resources plus the draft in scope, already
 *       parsed into HAPI resources (its parse is not timed, which favours $apply).</li>
 * </ul>
 * Cards agree when both fire or both stay silent and give the same set of (summary, indicator): a
 * cheap check per call; ApplyDifferentialTest compares every field (detail, source, suggestions and
 * their targets) on the hook cases.
 *
 * <p>Arguments: {@code synthea=<folder of Synthea FHIR bundles>} (the script generates and caches
 * it), {@code quick} (10 patients, 1 repetition, padded charts of 200 and 2,000), {@code sizes=200,2000}
 * (the padded charts to run, for profiling one of them). Writes its section of
 * target/benchmark/results.md (between markers, other modes' output kept) and target/benchmark/compare.md.
 */
public final class ApplyComparisonBenchmark {

    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private static final String ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";

    /** A draft order: an RxNorm product, with an optional ICD-10-CM reason. */
    record Draft(String label, String code, String display, String reason) {}

    static final List<Draft> DRAFTS = List.of(
            new Draft("hctz", "310798", "hydrochlorothiazide 25 MG Oral Tablet", null),
            new Draft("quinine", "997010", "Quinine Sulfate 324 MG Oral Capsule", null),
            new Draft("magnesium", "198741", "Magnesium Oxide 400 MG Oral Tablet", "G47.62"),
            new Draft("ibuprofen", "197806", "Ibuprofen 600 MG Oral Tablet", "G47.62"),
            new Draft("cyclobenzaprine", "828348", "cyclobenzaprine hydrochloride 10 MG Oral Tablet", null));

    /**
     * A patient's chart: as its FHIR server answers our templates (for our requests), and its
     * resources parsed, whole (for $apply; that its cards are ours checks that what our templates
     * leave out changes no card).
     */
    record Chart(String label, String patientId, ChartAnswers answers, Map<String, List<Resource>> parsed,
            int resources) {}

    /** One service of one hook call: our request, and the peer's data. */
    record ServiceCall(CdsService service, JsonNode request, List<Resource> peerData) {}

    /** A timed hook call of one engine. */
    /**
     * ours: the hook's per-rule services one by one; perHook: its per-hook service (one parse), rules
     * one after the other (the same work as $apply's, for the ratios); served: the per-hook service
     * as it answers, its rules side by side on one thread per core (the latency an EHR sees); peer: $apply.
     */
    record Sample(double ours, double peer, int resources, String chart, double oursParse, double perHook, double served) {}

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final ObjectMapper json = new ObjectMapper();
    private final InProcessHookCalls calls;
    private final RuleCatalog catalog;
    private final ApplyPeer peer;
    private final Set<String> prefetchedTypes = new TreeSet<>();

    // the cards check
    private int compared;
    private int mismatches;
    private final List<String> firstMismatches = new ArrayList<>();
    private final Map<String, int[]> agreement = new LinkedHashMap<>();
    // where our time goes, per service, on the Synthea population: parse, assemble, evaluate, cards, peer
    private final Map<String, double[]> stages = new LinkedHashMap<>();
    private boolean recordStages;
    private long repetition;

    private ApplyComparisonBenchmark(Path root) {
        calls = new InProcessHookCalls(InProcessHookCalls.content(root), 200_000);
        catalog = calls.catalog();
        peer = ApplyPeer.fromCheckout(root);
        for (CdsService service : catalog.services()) {
            service.prefetch().values().forEach(template -> prefetchedTypes.add(InProcessHookCalls.typeOf(template)));
        }
        prefetchedTypes.add("Medication");
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("legcramp.root", ".")).toAbsolutePath().normalize();
        boolean quick = List.of(args).contains("quick");
        int[] sizes = Arrays.stream(args).filter(a -> a.startsWith("sizes=")).findFirst()
                .map(a -> Arrays.stream(a.substring(6).split(",")).mapToInt(Integer::parseInt).toArray())
                .orElse(quick ? new int[] {200, 2000} : new int[] {200, 2000, 10000});
        Path synthea = Arrays.stream(args).filter(a -> a.startsWith("synthea=")).map(a -> Path.of(a.substring(8)))
                .findFirst().orElse(null);
        long started = System.nanoTime();
        ApplyComparisonBenchmark benchmark = new ApplyComparisonBenchmark(root);
        StringBuilder report = new StringBuilder();
        benchmark.run(synthea, quick, sizes, report);
        report.append(String.format(Locale.ROOT, "%nWhole run %.0f s%n", (System.nanoTime() - started) / 1e9));
        System.out.printf(Locale.ROOT, "%nWhole run %.0f s%n", (System.nanoTime() - started) / 1e9);
        write(root.resolve("target/benchmark"), report.toString());
        System.exit(benchmark.mismatches == 0 ? 0 : 1);
    }

    private void run(Path synthea, boolean quick, int[] paddedSizes, StringBuilder report) throws IOException {
        out(report, "Ours (in process: parse, assemble, evaluate, cards; no HTTP) vs cqf-fhir-cr 4.4.0 PlanDefinition/$apply"
                + " (on the same resources, already parsed), interleaved per service.%n"
                + "Services per hook: %s. Prefetched types: %s.%n"
                + "A hook call = all services of the hook for one patient and one draft order (order hooks: %s).%n%n",
                servicesPerHook(), prefetchedTypes, DRAFTS.stream().map(d -> d.code() + " " + d.label()
                        + (d.reason() == null ? "" : " (reason " + d.reason() + ")")).toList());

        long t = System.nanoTime();
        Chart warm = padded(200);
        for (int round = 0; round < (quick ? 40 : 80); round++) {
            for (Hook hook : Hook.values()) {
                for (List<ServiceCall> call : hookCalls(warm, hook)) {
                    time(call, warm, "warm-up");
                }
            }
        }
        System.out.printf(Locale.ROOT, "warm-up %.0f s%n", (System.nanoTime() - t) / 1e9);

        // Padded charts
        Map<String, Map<Hook, List<Sample>>> bySize = new LinkedHashMap<>();
        for (int size : paddedSizes) {
            Chart chart = padded(size);
            Map<Hook, List<Sample>> byHook = new LinkedHashMap<>();
            for (Hook hook : Hook.values()) {
                List<List<ServiceCall>> calls = hookCalls(chart, hook);
                List<Sample> samples = new ArrayList<>();
                long budget = Duration.ofSeconds(quick ? 5 : size >= 10000 ? 25 : 15).toNanos();
                long begun = System.nanoTime();
                // $apply takes 10-15 s per hook call at 10,000 resources: fewer calls there keep the run near 10 minutes.
                int minimum = hook == Hook.PATIENT_VIEW ? (size >= 10000 ? 3 : 10) : (size >= 10000 ? 1 : 2);
                for (int rep = 0; rep < 200 && (rep < minimum || System.nanoTime() - begun < budget); rep++) {
                    for (List<ServiceCall> call : calls) {
                        samples.add(time(call, chart, size + " resources"));
                    }
                }
                byHook.put(hook, samples);
                System.out.printf(Locale.ROOT, "  padded %d %s: %d calls%n", size, hook.id(), samples.size());
            }
            bySize.put(String.valueOf(chart.resources()), byHook);
        }

        // Synthea population
        Map<Hook, List<Sample>> population = new LinkedHashMap<>();
        Arrays.stream(Hook.values()).forEach(h -> population.put(h, new ArrayList<>()));
        int patients = 0;
        int deceased = 0;
        String heaviest = null;
        int heaviestSize = -1;
        List<Integer> sizes = new ArrayList<>();
        if (synthea != null) {
            List<Path> files;
            try (Stream<Path> list = Files.list(synthea)) {
                files = list.filter(p -> p.toString().endsWith(".json"))
                        .filter(p -> !p.getFileName().toString().startsWith("hospitalInformation"))
                        .filter(p -> !p.getFileName().toString().startsWith("practitionerInformation"))
                        .sorted().toList();
            }
            int limit = quick ? 10 : Integer.MAX_VALUE;
            int reps = quick ? 1 : Integer.getInteger("legcramp.benchmark.repetitions", 2);
            recordStages = true;
            for (Path file : files) {
                if (patients >= limit) {
                    break;
                }
                Chart chart = synthea(file, "synthea #" + patients);
                if (chart == null) {
                    deceased++;
                    continue;
                }
                sizes.add(chart.resources());
                if (chart.resources() > heaviestSize) {
                    heaviestSize = chart.resources();
                    heaviest = chart.label();
                }
                for (int rep = 0; rep < reps; rep++) {
                    for (Hook hook : Hook.values()) {
                        for (List<ServiceCall> call : hookCalls(chart, hook)) {
                            population.get(hook).add(time(call, chart, chart.label()));
                        }
                    }
                }
                patients++;
                System.out.printf(Locale.ROOT, "  %s: %d resources%n", chart.label(), chart.resources());
            }
            recordStages = false;
        }

        // Report
        out(report, "%nours = the hook's per-rule services one by one; per-hook = its per-hook service (leg-cramps-<hook>: one parse),"
                + " rules one after the other; served = the per-hook service as it answers, rules side by side on one thread per core%n");
        out(report, "%n%-16s %-13s %6s | %8s %8s %8s | %8s %8s %8s | %9s | %s | %s | %s%n", "chart", "hook", "calls", "ours p50", "p99", "max",
                "$apply p50", "p99", "max", "cards", "ours p50 without", "per-hook p50      p99", "served p50      p99");
        out(report, "%-16s %-13s %6s | %8s %8s %8s | %8s %8s %8s | %9s | %s | %s | %s%n", "(resources)", "", "", "ms", "ms", "ms", "ms", "ms", "ms",
                "agree", "its JSON parse, ms", "      ms       ms", "    ms       ms");
        for (var size : bySize.entrySet()) {
            for (var hook : size.getValue().entrySet()) {
                row(report, size.getKey(), hook.getKey(), hook.getValue(), size.getKey() + " resources");
            }
        }
        if (patients > 0) {
            List<Integer> sorted = new ArrayList<>(sizes);
            sorted.sort(null);
            int median = sorted.get(sorted.size() / 2);
            for (Hook hook : Hook.values()) {
                row(report, "synthea (" + patients + ")", hook, population.get(hook), "synthea");
            }
            out(report, "%nSynthea population: %d patients aged 55-90 (%d deceased records skipped), prefetched resources"
                    + " per patient min %d, median %d, max %d; each hook call %s%n",
                    patients, deceased, sorted.get(0), median, sorted.get(sorted.size() - 1),
                    quick ? "once" : "repeated " + Integer.getInteger("legcramp.benchmark.repetitions", 2) + " times");
            out(report, "%-13s %6s | %8s %8s %8s %8s | %8s %8s %8s %8s | %s%n", "hook", "calls", "ours p50", "p95", "p99", "max",
                    "$apply p50", "p95", "p99", "max", "heaviest chart (" + heaviestSize + " resources): ours max / $apply max");
            for (Hook hook : Hook.values()) {
                List<Sample> samples = population.get(hook);
                double[] ours = samples.stream().mapToDouble(Sample::ours).sorted().toArray();
                double[] theirs = samples.stream().mapToDouble(Sample::peer).sorted().toArray();
                String heaviestLabel = heaviest;
                double heavyOurs = samples.stream().filter(s -> s.chart().equals(heaviestLabel)).mapToDouble(Sample::ours).max().orElse(0);
                double heavyPeer = samples.stream().filter(s -> s.chart().equals(heaviestLabel)).mapToDouble(Sample::peer).max().orElse(0);
                out(report, "%-13s %6d | %8.2f %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f %8.2f | %.1f ms / %.1f ms%n", hook.id(),
                        samples.size(), pct(ours, 50), pct(ours, 95), pct(ours, 99), ours[ours.length - 1], pct(theirs, 50),
                        pct(theirs, 95), pct(theirs, 99), theirs[theirs.length - 1], heavyOurs, heavyPeer);
            }
            out(report, "Goals (Synthea, per hook call, through the per-hook service as it answers): p50 <= 5 ms, p99 <= 50 ms,"
                    + " heaviest chart <= 500 ms:%n");
            for (Hook hook : Hook.values()) {
                double[] perHook = population.get(hook).stream().mapToDouble(Sample::served).sorted().toArray();
                String heaviestLabel = heaviest;
                double heavy = population.get(hook).stream().filter(s -> s.chart().equals(heaviestLabel)).mapToDouble(Sample::served)
                        .max().orElse(0);
                out(report, "  %-13s p50 %s, p99 %s, heaviest %s%n", hook.id(), verdict(pct(perHook, 50), 5),
                        verdict(pct(perHook, 99), 50), verdict(heavy, 500));
            }
            out(report, "The same goals through the per-rule services one by one:%n");
            for (Hook hook : Hook.values()) {
                double[] ours = population.get(hook).stream().mapToDouble(Sample::ours).sorted().toArray();
                String heaviestLabel = heaviest;
                double heavy = population.get(hook).stream().filter(s -> s.chart().equals(heaviestLabel)).mapToDouble(Sample::ours)
                        .max().orElse(0);
                out(report, "  %-13s p50 %s, p99 %s, heaviest %s%n", hook.id(), verdict(pct(ours, 50), 5), verdict(pct(ours, 99), 50),
                        verdict(heavy, 500));
            }
            out(report, "%nWhere our time goes on the Synthea population (mean ms per service call; $apply alongside):%n");
            out(report, "%-46s %7s %7s %7s %7s %7s | %7s%n", "service", "total", "parse", "assemble", "evaluate", "cards", "$apply");
            stages.entrySet().stream().sorted(Comparator.comparingDouble(e -> -(e.getValue()[0] + e.getValue()[1]
                    + e.getValue()[2] + e.getValue()[3]))).forEach(e -> {
                double[] s = e.getValue();
                double n = s[5];
                out(report, "%-46s %7.2f %7.2f %7.2f %7.2f %7.2f | %7.2f%n", e.getKey(), (s[0] + s[1] + s[2] + s[3]) / n,
                        s[0] / n, s[1] / n, s[2] / n, s[3] / n, s[4] / n);
            });
            bySize.put("synthea-median", population);
        }

        out(report, "%nSame cards (fire/silent and the set of summary+indicator; every field is compared on the hook cases by ApplyDifferentialTest):"
                + " %d of %d service calls agree, %d mismatches%n", compared - mismatches, compared, mismatches);
        firstMismatches.forEach(m -> out(report, "  %s%n", m));

        out(report, "%nratio = $apply time / ours (> 1: we are faster); vs-apply: ours through the per-hook service,"
                + " vs-apply-per-rule: through the per-rule services one by one; synthea-median = the whole population"
                + " (median %s prefetched resources), ratio of its percentiles%n",
                sizes.isEmpty() ? "-" : String.valueOf(sizes.stream().sorted().toList().get(sizes.size() / 2)));
        for (var size : bySize.entrySet()) {
            for (var hook : size.getValue().entrySet()) {
                double[] ours = hook.getValue().stream().mapToDouble(Sample::ours).sorted().toArray();
                double[] theirs = hook.getValue().stream().mapToDouble(Sample::peer).sorted().toArray();
                double[] perHook = hook.getValue().stream().mapToDouble(Sample::perHook).sorted().toArray();
                out(report, "vs-apply size=%s hook=%s p50-ratio=%.2f p99-ratio=%.2f%n", size.getKey(), hook.getKey().id(),
                        pct(theirs, 50) / pct(perHook, 50), pct(theirs, 99) / pct(perHook, 99));
                out(report, "vs-apply-per-rule size=%s hook=%s p50-ratio=%.2f p99-ratio=%.2f%n", size.getKey(), hook.getKey().id(),
                        pct(theirs, 50) / pct(ours, 50), pct(theirs, 99) / pct(ours, 99));
            }
        }
        out(report, "Goal: >= 3x faster than $apply at p50 at 200 and 2,000 resources (see the p50-ratio of size=200 and size=2000).%n");
    }

    private void row(StringBuilder report, String chart, Hook hook, List<Sample> samples, String agreementKey) {
        double[] ours = samples.stream().mapToDouble(Sample::ours).sorted().toArray();
        double[] theirs = samples.stream().mapToDouble(Sample::peer).sorted().toArray();
        int[] agree = agreement.getOrDefault(agreementKey + "/" + hook.id(), new int[2]);
        double[] noParse = samples.stream().mapToDouble(s -> s.ours() - s.oursParse()).sorted().toArray();
        double[] perHook = samples.stream().mapToDouble(Sample::perHook).sorted().toArray();
        double[] served = samples.stream().mapToDouble(Sample::served).sorted().toArray();
        out(report, "%-16s %-13s %6d | %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f | %4d/%-4d | %.2f | %8.2f %8.2f | %8.2f %8.2f%n", chart, hook.id(),
                samples.size(), pct(ours, 50), pct(ours, 99), ours[ours.length - 1], pct(theirs, 50), pct(theirs, 99),
                theirs[theirs.length - 1], agree[0], agree[1], pct(noParse, 50), pct(perHook, 50), pct(perHook, 99),
                pct(served, 50), pct(served, 99));
    }

    private static String verdict(double millis, double goal) {
        return String.format(Locale.ROOT, "%.2f ms %s", millis, millis <= goal ? "met" : "NOT met");
    }

    // ---- timing one hook call

    private Sample time(List<ServiceCall> call, Chart chart, String group) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        boolean oursFirst = (repetition++ & 1) == 0;
        long oursNanos = 0;
        long peerNanos = 0;
        double parseMillis = 0;
        for (ServiceCall serviceCall : call) {
            double[] stage = new double[4];
            List<Card> ours = null;
            List<ApplyPeer.PeerCard> theirs = null;
            long peerOne = 0;
            for (int turn = 0; turn < 2; turn++) {
                if ((turn == 0) == oursFirst) {
                    long t = System.nanoTime();
                    ours = ours(serviceCall, now, stage);
                    oursNanos += System.nanoTime() - t;
                } else {
                    long t = System.nanoTime();
                    theirs = peer.apply(serviceCall.service().id(), chart.patientId(), serviceCall.peerData(), now);
                    peerOne = System.nanoTime() - t;
                    peerNanos += peerOne;
                }
            }
            parseMillis += stage[0];
            if (recordStages) {
                double[] sum = stages.computeIfAbsent(serviceCall.service().id(), k -> new double[6]);
                for (int i = 0; i < 4; i++) {
                    sum[i] += stage[i];
                }
                sum[4] += peerOne / 1e6;
                sum[5]++;
            }
            compare(serviceCall, chart, ours, theirs, group);
        }
        return new Sample(oursNanos / 1e6, peerNanos / 1e6, chart.resources(), chart.label(), parseMillis,
                perHook(call, now, false), perHook(call, now, true));
    }

    /**
     * The same hook call through the per-hook service: one parse with the union of the rules' data
     * needs, the rules evaluated side by side as the service does.
     */
    private double perHook(List<ServiceCall> call, ZonedDateTime now, boolean sideBySide) {
        ServiceGroup group = catalog.group(RuleCatalog.SERVICE_GROUP_PREFIX + call.get(0).service().hook().id()).orElseThrow();
        ObjectNode merged = ((ObjectNode) call.get(0).request()).deepCopy();
        ObjectNode prefetch = merged.with("prefetch");
        call.forEach(serviceCall -> serviceCall.request().get("prefetch").properties()
                .forEach(field -> prefetch.set(field.getKey(), field.getValue())));
        long t = System.nanoTime();
        HookRequest request = calls.parse(merged, group.hook(), group.dataNeeds());
        if (sideBySide) {
            calls.perHookCards(group, request, now);
        } else {
            group.members().forEach(member -> calls.cards(member, request, now, null));
        }
        return (System.nanoTime() - t) / 1e6;
    }

    /** Our hook call for one service, from the request JSON; stage[] gets parse, assemble, evaluate, cards (ms). */
    private List<Card> ours(ServiceCall call, ZonedDateTime now, double[] stage) {
        long t = System.nanoTime();
        HookRequest request = calls.parse(call.request(), call.service().hook(), call.service().dataNeeds());
        stage[0] = (System.nanoTime() - t) / 1e6;
        return calls.cards(call.service(), request, now, stage);
    }

    private void compare(ServiceCall call, Chart chart, List<Card> ours, List<ApplyPeer.PeerCard> theirs, String group) {
        if (group.equals("warm-up")) {
            return;
        }
        String key = (group.startsWith("synthea") ? "synthea" : group) + "/" + call.service().hook().id();
        int[] agree = agreement.computeIfAbsent(key, k -> new int[2]);
        Set<String> mine = new TreeSet<>();
        ours.forEach(card -> mine.add(card.summary() + " [" + card.indicator() + "]"));
        Set<String> peers = new TreeSet<>();
        theirs.forEach(card -> peers.add(card.summary() + " [" + card.indicator() + "]"));
        compared++;
        agree[1]++;
        if (mine.equals(peers) && ours.isEmpty() == theirs.isEmpty()) {
            agree[0]++;
            return;
        }
        mismatches++;
        if (firstMismatches.size() < 8) {
            firstMismatches.add(String.format("%s, %s, draft %s: ours %s, $apply %s", call.service().id(), chart.label(),
                    draftOf(call.request()), mine, peers));
        }
    }

    private static String draftOf(JsonNode request) {
        JsonNode code = request.at("/context/draftOrders/entry/0/resource/medicationCodeableConcept/coding/0/code");
        return code.isMissingNode() ? "-" : code.asText();
    }

    // ---- hook calls on a chart

    private List<List<ServiceCall>> hookCalls(Chart chart, Hook hook) {
        List<CdsService> services = catalog.services().stream().filter(s -> s.hook() == hook).toList();
        List<List<ServiceCall>> calls = new ArrayList<>();
        for (Draft draft : hook.hasDraftOrders() ? DRAFTS : java.util.Collections.<Draft>singletonList(null)) {
            MedicationRequest order = draft == null ? null : draftOrder(draft, chart.patientId());
            JsonNode orderJson = order == null ? null : toJson(order);
            List<ServiceCall> call = new ArrayList<>();
            for (CdsService service : services) {
                call.add(serviceCall(service, chart, order, orderJson));
            }
            calls.add(call);
        }
        return calls;
    }

    private ServiceCall serviceCall(CdsService service, Chart chart, MedicationRequest order, JsonNode orderJson) {
        JsonNode body = InProcessHookCalls.request(service.hook(), "compare-" + service.id(), "Practitioner/bench",
                chart.patientId(), order == null ? null : orderJson, service.prefetch(), chart.answers());
        // $apply gets the same resources, parsed
        List<Resource> peerData = new ArrayList<>();
        for (String template : service.prefetch().values()) {
            String type = InProcessHookCalls.typeOf(template);
            List<Resource> parsed = chart.parsed().getOrDefault(type, List.of());
            if (type.equals("Patient")) {
                peerData.add(parsed.get(0));
                continue;
            }
            peerData.addAll(parsed);
            if (type.equals("MedicationRequest") && template.contains("_include")) {
                peerData.addAll(chart.parsed().getOrDefault("Medication", List.of()));
            }
        }
        if (order != null) {
            peerData.add(order);
        }
        return new ServiceCall(service, body, peerData);
    }

    static MedicationRequest draftOrder(Draft draft, String patientId) {
        MedicationRequest order = new MedicationRequest();
        order.setId("draft-" + draft.label());
        order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
        order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        order.setSubject(new Reference("Patient/" + patientId));
        order.setAuthoredOnElement(new DateTimeType(LocalDate.now().toString()));
        order.setMedication(new CodeableConcept(new Coding(RXNORM, draft.code(), draft.display())).setText(draft.display()));
        if (draft.reason() != null) {
            order.addReasonCode(new CodeableConcept(new Coding(ICD10, draft.reason(), "Sleep related leg cramps")));
        }
        return order;
    }

    // ---- charts

    /** ChartScalingBenchmark's mixed chart of {@code size} resources (the patient included). */
    private Chart padded(int size) {
        List<Resource> resources = new ArrayList<>(ChartScalingBenchmark.mixedChart(size));
        resources.add(0, ChartScalingBenchmark.patient());
        Map<String, List<ObjectNode>> byType = new LinkedHashMap<>();
        Map<String, List<Resource>> parsed = new LinkedHashMap<>();
        for (Resource resource : resources) {
            byType.computeIfAbsent(resource.fhirType(), k -> new ArrayList<>()).add((ObjectNode) toJson(resource));
            parsed.computeIfAbsent(resource.fhirType(), k -> new ArrayList<>()).add(resource);
        }
        return new Chart(size + " resources", ChartScalingBenchmark.PATIENT_ID, new ChartAnswers(byType), parsed, resources.size());
    }

    /**
     * A Synthea record as a FHIR server would return it after loading it: {@code urn:uuid:} references
     * become {@code Type/id}; only the types our services prefetch are kept (Medications only those the
     * orders reference, as {@code _include} gives). Null for a deceased patient.
     */
    private Chart synthea(Path file, String label) throws IOException {
        JsonNode bundle = json.readTree(file.toFile());
        Map<String, String> byFullUrl = new HashMap<>();
        for (JsonNode entry : bundle.path("entry")) {
            JsonNode resource = entry.path("resource");
            byFullUrl.put(entry.path("fullUrl").asText(), resource.path("resourceType").asText() + "/" + resource.path("id").asText());
        }
        Map<String, List<ObjectNode>> byType = new LinkedHashMap<>();
        Set<String> referencedMedications = new HashSet<>();
        for (JsonNode entry : bundle.path("entry")) {
            ObjectNode resource = (ObjectNode) entry.path("resource");
            String type = resource.path("resourceType").asText();
            if (!prefetchedTypes.contains(type)) {
                continue;
            }
            PatientRecords.resolveReferences(resource, byFullUrl);
            byType.computeIfAbsent(type, k -> new ArrayList<>()).add(resource);
            if (type.equals("MedicationRequest")) {
                String reference = resource.path("medicationReference").path("reference").asText("");
                if (reference.startsWith("Medication/")) {
                    referencedMedications.add(reference.substring("Medication/".length()));
                }
            }
        }
        List<ObjectNode> patients = byType.getOrDefault("Patient", List.of());
        if (patients.size() != 1) {
            throw new IllegalStateException(file + ": expected one Patient, found " + patients.size());
        }
        if (patients.get(0).has("deceasedDateTime") || patients.get(0).path("deceasedBoolean").asBoolean(false)) {
            return null;
        }
        byType.computeIfPresent("Medication", (k, meds) -> new ArrayList<>(meds.stream()
                .filter(m -> referencedMedications.contains(m.path("id").asText())).toList()));
        IParser hapi = fhir.newJsonParser();
        Map<String, List<Resource>> parsed = new LinkedHashMap<>();
        int count = 0;
        for (var type : byType.entrySet()) {
            List<Resource> list = new ArrayList<>();
            for (ObjectNode node : type.getValue()) {
                list.add((Resource) hapi.parseResource(node.toString()));
            }
            parsed.put(type.getKey(), list);
            count += list.size();
        }
        return new Chart(label, patients.get(0).path("id").asText(), new ChartAnswers(byType), parsed, count);
    }

    // ---- helpers

    private String servicesPerHook() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        catalog.services().forEach(s -> counts.merge(s.hook().id(), 1, Integer::sum));
        return counts.toString();
    }

    private JsonNode toJson(Resource resource) {
        try {
            return json.readTree(fhir.newJsonParser().encodeResourceToString(resource));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static void out(StringBuilder report, String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.print(line);
        report.append(line);
    }

    /** Own section of results.md, between markers (other modes' output kept), and compare.md. */
    private static void write(Path out, String report) throws IOException {
        Files.createDirectories(out);
        String begin = "<!-- benchmark compare -->";
        String end = "<!-- /benchmark compare -->";
        String section = begin + "\n## ./benchmark compare\n\n```\n" + report + "```\n" + end + "\n";
        Path results = out.resolve("results.md");
        String existing = Files.exists(results) ? Files.readString(results) : "";
        int from = existing.indexOf(begin);
        int to = existing.indexOf(end);
        if (from >= 0 && to > from) {
            existing = existing.substring(0, from) + existing.substring(to + end.length()).replaceFirst("^\n", "");
        }
        Files.writeString(results, existing + (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n") + section);
        Files.writeString(out.resolve("compare.md"), "```\n" + report + "```\n");
        System.out.println("Written to " + results + " (its compare section) and " + out.resolve("compare.md"));
    }
}
