package org.legcramp.cds.benchmark;

import static org.legcramp.cds.benchmark.ApplyComparisonBenchmark.out;
import static org.legcramp.cds.benchmark.ApplyComparisonBenchmark.pct;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.legcramp.cds.CdsApplication;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.monitoring.TrafficClass;
import org.legcramp.cds.rules.RuleCatalog;
import org.legcramp.cds.rules.ServiceGroup;
import org.legcramp.cds.simulation.PatientRecords;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./benchmark http}: the Synthea population through the per-hook services over loopback HTTP,
 * as an EHR calls them: the running application with its defaults (the embedded database on disk, cards
 * recorded and flushed before the answer), one caller, every hook for every patient (order hooks once
 * per draft of {@link ApplyComparisonBenchmark#DRAFTS}), the prefetch answered as a FHIR server answers
 * the discovery's templates ({@link ChartAnswers}: a template that names codes gets only resources with
 * those codes), by a server that honours their {@code _elements} and by one that ignores it, taking
 * turns pass by pass. Times
 * the round trip the EHR waits for. The first passes over the population warm up and are not counted
 * ({@code legcramp.benchmark.warm-up-passes}, 5), the next ones are measured and pooled
 * ({@code legcramp.benchmark.measured-passes}, 3): HAPI's parser reaches its compiled speed only after a
 * few hundred real charts (a first pass parses them 3-5 times slower than the sixth), and the goals are
 * for a warm service.
 */
public final class HttpSyntheaBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpSyntheaBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("legcramp.root", ".")).toAbsolutePath().normalize();
        Path synthea = Arrays.stream(args).filter(a -> a.startsWith("synthea=")).map(a -> Path.of(a.substring(8)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("synthea=<folder> is required"));
        Path dataDir = Files.createTempDirectory("legcramp-http-benchmark");
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CdsApplication.class).run(
                "--server.port=0", "--legcramp.data-dir=" + dataDir,
                "--logging.level.root=WARN", "--logging.level.org.legcramp=WARN",
                "--legcramp.content-location=" + root.resolve("cds-service/target/classes/content").toUri());
        StringBuilder report = new StringBuilder();
        try {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            CdsClient client = new CdsClient(port);
            RuleCatalog catalog = app.getBean(RuleCatalog.class);
            Map<FhirServer, Map<Hook, List<String>>> bodies = requests(catalog, synthea);
            Map<FhirServer, Map<Hook, double[]>> millis = new EnumMap<>(FhirServer.class);
            Map<FhirServer, Map<String, double[]>> spent = new EnumMap<>(FhirServer.class);
            MeterRegistry registry = app.getBean(MeterRegistry.class);
            int warmUpPasses = Integer.getInteger("legcramp.benchmark.warm-up-passes", 5);
            // Several passes measured and pooled: on a shared 2-core machine one pass's median moves by a
            // millisecond or more. The two kinds of server take turns, pass by pass, so both see the same machine.
            int measuredPasses = Integer.getInteger("legcramp.benchmark.measured-passes", 3);
            // -Dlegcramp.benchmark.jfr=<file>: a flight recording of the measured passes (one started by
            // -XX:StartFlightRecording in Maven's JVM comes out empty, as the run ends with System.exit)
            String jfrFile = System.getProperty("legcramp.benchmark.jfr");
            jdk.jfr.Recording recording = null;
            for (int pass = 0; pass < 2 * (warmUpPasses + measuredPasses); pass++) {
                FhirServer server = FhirServer.values()[pass % 2];
                boolean measured = pass >= 2 * warmUpPasses;
                if (measured && recording == null && jfrFile != null) {
                    recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("default"));
                    recording.start();
                }
                Map<String, double[]> before = timers(registry);
                for (var hook : bodies.get(server).entrySet()) {
                    String path = "/cds-services/" + RuleCatalog.SERVICE_GROUP_PREFIX + hook.getKey().id();
                    double[] times = new double[hook.getValue().size()];
                    for (int i = 0; i < times.length; i++) {
                        long t = System.nanoTime();
                        var reply = client.post(path, hook.getValue().get(i));
                        times[i] = (System.nanoTime() - t) / 1e6;
                        if (reply.status() != 200) {
                            throw new IllegalStateException(path + " answered " + reply.status() + ": " + reply.body());
                        }
                    }
                    if (measured) {
                        millis.computeIfAbsent(server, k -> new LinkedHashMap<>()).merge(hook.getKey(), times, (pooled, more) -> {
                            double[] all = Arrays.copyOf(pooled, pooled.length + more.length);
                            System.arraycopy(more, 0, all, pooled.length, more.length);
                            return all;
                        });
                    }
                }
                if (measured) {
                    Map<String, double[]> sum = spent.computeIfAbsent(server, k -> new HashMap<>());
                    timers(registry).forEach((key, now) -> {
                        double[] then = before.getOrDefault(key, new double[2]);
                        double[] total = sum.computeIfAbsent(key, k -> new double[2]);
                        total[0] += now[0] - then[0];
                        total[1] += now[1] - then[1];
                    });
                }
            }
            if (recording != null) {
                recording.stop();
                recording.dump(Path.of(jfrFile));
                System.out.println("Flight recording of the measured passes: " + jfrFile);
            }
            out(report, "Per-hook services over loopback HTTP, one caller, the application's defaults (embedded database on disk,"
                    + " cards flushed before the answer); %s; %d passes per kind of FHIR server after %d warm-up passes, the kinds"
                    + " taking turns pass by pass%n", synthea.getFileName(), measuredPasses, warmUpPasses);
            for (FhirServer server : FhirServer.values()) {
                out(report, "%nPrefetch from a FHIR server that %s%n", server.description);
                out(report, "%-13s %6s %10s | %8s %8s %8s %8s | goals p50 <= 5, p99 <= 50, max <= 500 ms%n", "hook", "calls",
                        "body KB p50", "p50", "p95", "p99", "max");
                for (var hook : millis.get(server).entrySet()) {
                    double[] sorted = hook.getValue().clone();
                    Arrays.sort(sorted);
                    double[] kb = bodies.get(server).get(hook.getKey()).stream().mapToDouble(b -> b.length() / 1024.0).sorted().toArray();
                    double p50 = pct(sorted, 50);
                    double p99 = pct(sorted, 99);
                    double max = sorted[sorted.length - 1];
                    out(report, "%-13s %6d %10.0f | %8.2f %8.2f %8.2f %8.2f | %s%n", hook.getKey().id(), sorted.length, pct(kb, 50),
                            p50, pct(sorted, 95), p99, max, p50 <= 5 && p99 <= 50 && max <= 500 ? "met" : "NOT met");
                    out(report, "%s hook=%s p50=%.2f p99=%.2f max=%.2f%n", server.linePrefix, hook.getKey().id(), p50, p99, max);
                }
                // Where the time goes, from the service's own stage timers (the rules' stages run side by side)
                out(report, "Server side, mean ms per call: whole call | parse | data (gathered once for the rules)"
                        + " | record (repeats, ledger, counts) | evaluation and cards summed over the rules (they run side by side)%n");
                Map<String, double[]> sum = spent.get(server);
                for (Hook hook : millis.get(server).keySet()) {
                    String group = RuleCatalog.SERVICE_GROUP_PREFIX + hook.id();
                    double whole = mean(sum, registry.find("legcramp.hook.requests").tag("service", group).tag("status", "200").timer());
                    double rules = 0;
                    for (var member : group(catalog, hook).members()) {
                        for (String stage : List.of("evaluation", "cards")) {
                            rules += stageMean(registry, sum, member.id(), stage);
                        }
                    }
                    out(report, "%-13s %8.2f | %6.2f | %6.2f | %6.2f | %6.2f%n", hook.id(), whole, stageMean(registry, sum, group, "parse"),
                            stageMean(registry, sum, group, "data"), stageMean(registry, sum, group, "record"), rules);
                }
            }
        } finally {
            app.close();
        }
        Path out = root.resolve("target/benchmark");
        Files.createDirectories(out);
        Files.writeString(out.resolve("http.md"), "```\n" + report + "```\n");
        System.out.println("Written to " + out.resolve("http.md"));
        System.exit(0);
    }

    /**
     * Where the prefetch comes from: the EHR's FHIR server answers the discovery's templates, and
     * honours their {@code _elements} or, as the specification allows, ignores it.
     */
    enum FhirServer {
        SUBSETTING("honours _elements (each resource with only the elements the rules read)", "http-synthea", true),
        WHOLE("ignores _elements (whole resources)", "http-synthea-whole", false);

        final String description;
        final String linePrefix;
        final boolean honoursElements;

        FhirServer(String description, String linePrefix, boolean honoursElements) {
            this.description = description;
            this.linePrefix = linePrefix;
            this.honoursElements = honoursElements;
        }
    }

    /** Every hook call of the population, as request bodies (built before anything is timed). */
    private static Map<FhirServer, Map<Hook, List<String>>> requests(RuleCatalog catalog, Path synthea) throws Exception {
        Map<FhirServer, Map<Hook, List<String>>> bodies = new EnumMap<>(FhirServer.class);
        Set<String> types = new HashSet<>();
        for (FhirServer server : FhirServer.values()) {
            bodies.put(server, new LinkedHashMap<>());
            for (Hook hook : Hook.values()) {
                bodies.get(server).put(hook, new ArrayList<>());
            }
        }
        for (Hook hook : Hook.values()) {
            group(catalog, hook).prefetch().values().forEach(template -> types.add(InProcessHookCalls.typeOf(template)));
        }
        FhirContext fhir = FhirContext.forR4Cached();
        int[] patients = {0};
        new PatientRecords(types).forEach(synthea, Files.createTempDirectory("legcramp-http-benchmark-ndjson"), chart -> {
            if (chart.deceased()) {
                return;
            }
            Map<FhirServer, ChartAnswers> answers = new EnumMap<>(FhirServer.class);
            for (FhirServer server : FhirServer.values()) {
                answers.put(server, new ChartAnswers(chart.byType(), server.honoursElements));
            }
            patients[0]++;
            for (Hook hook : Hook.values()) {
                ServiceGroup group = group(catalog, hook);
                List<ApplyComparisonBenchmark.Draft> drafts = hook.hasDraftOrders()
                        ? ApplyComparisonBenchmark.DRAFTS : java.util.Collections.singletonList(null);
                for (ApplyComparisonBenchmark.Draft draft : drafts) {
                    JsonNode order = draft == null ? null : toJson(fhir, ApplyComparisonBenchmark.draftOrder(draft, chart.patientId()));
                    for (FhirServer server : FhirServer.values()) {
                        ObjectNode body = InProcessHookCalls.request(hook, java.util.UUID.randomUUID().toString(), "Practitioner/bench",
                                chart.patientId(), order, group.prefetch(), answers.get(server));
                        body.putObject("extension").put(TrafficClass.REQUEST_EXTENSION, "test");
                        bodies.get(server).get(hook).add(body.toString());
                    }
                }
            }
        });
        System.out.printf(Locale.ROOT, "%d patients%n", patients[0]);
        return bodies;
    }

    private static ServiceGroup group(RuleCatalog catalog, Hook hook) {
        return catalog.group(RuleCatalog.SERVICE_GROUP_PREFIX + hook.id()).orElseThrow();
    }

    private static JsonNode toJson(FhirContext fhir, org.hl7.fhir.r4.model.Resource resource) {
        try {
            return JSON.readTree(fhir.newJsonParser().encodeResourceToString(resource));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double stageMean(MeterRegistry registry, Map<String, double[]> spent, String service, String stage) {
        return mean(spent, registry.find("legcramp.hook.stage").tag("service", service).tag("stage", stage).timer());
    }

    /** The timer's mean over the measured passes of one kind of server. */
    private static double mean(Map<String, double[]> spent, Timer timer) {
        if (timer == null) {
            return 0;
        }
        double[] total = spent.getOrDefault(key(timer), new double[2]);
        return total[0] == 0 ? 0 : total[1] / total[0];
    }

    /** Every timer's count and total milliseconds so far. */
    private static Map<String, double[]> timers(MeterRegistry registry) {
        Map<String, double[]> now = new HashMap<>();
        registry.getMeters().stream().filter(m -> m instanceof Timer).map(m -> (Timer) m)
                .forEach(t -> now.put(key(t), new double[] {t.count(), t.totalTime(TimeUnit.MILLISECONDS)}));
        return now;
    }

    private static String key(Timer timer) {
        return timer.getId().getName() + timer.getId().getTags();
    }

}
