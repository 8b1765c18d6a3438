package org.legcramp.cds.peer;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.casetest.HookCaseSpec;

/**
 * Times warm {@code PlanDefinition/$apply} calls of the reference engine ({@link ApplyPeer}), for
 * side-by-side figures with our engine. Test scope; not a test itself (figures depend on the machine).
 *
 * <h2>API</h2>
 * <pre>{@code
 * ApplyPeer peer = ApplyPeer.fromCheckout(root);              // once: loads the content package (~5 s)
 * Timing t = ApplyTimer.time(peer, hookCase, 100, 1000);       // a hook case (CaseFiles.hookCases)
 * Timing u = ApplyTimer.time(peer, "quinine-for-cramps-order-sign", patientBundle, 100, 1000);
 * t.p50Millis(); t.p99Millis(); t.maxMillis(); t.cards();      // t.toString() is one table row
 * }</pre>
 * <ul>
 *   <li>{@link #time(ApplyPeer, HookCaseSpec, int, int)}: the case's patient data as
 *       {@link HookCaseData} reads it (prefetch + draft orders in scope), its service as the
 *       PlanDefinition;</li>
 *   <li>{@link #time(ApplyPeer, String, Bundle, int, int)}: any patient bundle (a Synthea record,
 *       say) on any PlanDefinition; the patient is the bundle's first Patient;</li>
 *   <li>{@link #time(ApplyPeer, String, String, String, List, int, int)}: the general form.</li>
 * </ul>
 * Each call first runs {@code warmUp} unmeasured calls, then {@code runs} measured ones, each
 * timed alone (wall clock, {@code System.nanoTime}), with "now" taken once before the runs. The
 * first call of a fresh peer compiles the CQL (seconds): keep {@code warmUp} above a few dozen.
 *
 * <h2>From the command line ({@code ./benchmark} can call it the same way it calls HookLatencyBenchmark)</h2>
 * <pre>
 * ./mvnw -q -B -pl cds-service process-test-classes exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=org.legcramp.cds.peer.ApplyTimer -Dlegcramp.root="$(pwd)" \
 *   -Dexec.args="[runs] [rule/case | planDefinitionId=bundle.json] ..."
 * </pre>
 * With no case named it times four representative hook cases; default runs 1000, warm-up
 * max(300, runs / 2) per case (the first case timed also pays for JIT and for HAPI loading its
 * structure definitions, so a short warm-up makes it look slower than it is).
 */
public final class ApplyTimer {

    /** Warm figures of one PlanDefinition on one patient, in milliseconds. */
    public record Timing(String label, int runs, double p50Millis, double p99Millis, double maxMillis, int cards) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %d |", label, runs, p50Millis, p99Millis,
                    maxMillis, cards);
        }
    }

    public static final String HEADER = "| $apply case | runs | p50 ms | p99 ms | max ms | cards |\n|---|---|---|---|---|---|";

    static final List<String> DEFAULT_CASES = List.of(
            "quinine-for-cramps/fires-quinine-ingredient-for-sleep-cramps",
            "new-diuretic/silent-thiazide-renewal",
            "liver-disease-cramps-baclofen/fires-cirrhosis-with-cramps",
            "persistent-unexplained-cramps/fires-cramps-recorded-twice");

    private ApplyTimer() {}

    public static Timing time(ApplyPeer peer, HookCaseSpec hookCase, int warmUp, int runs) {
        HookCaseData data = HookCaseData.of(hookCase.request(), peer.fhirContext());
        return time(peer, hookCase.displayName(), hookCase.service(), data.patientId(), data.resources(), warmUp, runs);
    }

    public static Timing time(ApplyPeer peer, String planDefinitionId, Bundle patientBundle, int warmUp, int runs) {
        List<Resource> resources = patientBundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).toList();
        String patientId = resources.stream().filter(r -> r.fhirType().equals("Patient")).findFirst()
                .map(r -> r.getIdElement().getIdPart())
                .orElseThrow(() -> new IllegalArgumentException("the bundle has no Patient"));
        return time(peer, planDefinitionId + " on " + resources.size() + " resources", planDefinitionId, patientId,
                resources, warmUp, runs);
    }

    public static Timing time(ApplyPeer peer, String label, String planDefinitionId, String patientId,
            List<Resource> resources, int warmUp, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1");
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        for (int i = 0; i < warmUp; i++) {
            peer.apply(planDefinitionId, patientId, resources, now);
        }
        long[] nanos = new long[runs];
        int cards = 0;
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            cards = peer.apply(planDefinitionId, patientId, resources, now).size();
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return new Timing(label, runs, millis(percentile(nanos, 50)), millis(percentile(nanos, 99)),
                millis(nanos[runs - 1]), cards);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(System.getProperty("legcramp.root", ".."));
        int runs = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 1000;
        List<String> named = Arrays.stream(args).filter(a -> !a.matches("\\d+")).toList();
        long started = System.nanoTime();
        ApplyPeer peer = ApplyPeer.fromCheckout(root);
        System.out.printf(Locale.ROOT, "$apply peer built in %.1f s%n", (System.nanoTime() - started) / 1e9);
        System.out.println(HEADER);
        int warmUp = Math.max(300, runs / 2);
        for (String what : named.isEmpty() ? DEFAULT_CASES : named) {
            Timing timing;
            if (what.contains("=")) {
                String[] parts = what.split("=", 2);
                FhirContext fhir = peer.fhirContext();
                Bundle bundle = (Bundle) fhir.newJsonParser().parseResource(Files.readString(Path.of(parts[1])));
                timing = time(peer, parts[0], bundle, warmUp, runs);
            } else {
                String[] parts = what.split("/", 2);
                HookCaseSpec hookCase = CaseFiles.hookCases(root, parts[0], null).stream()
                        .filter(c -> c.name().equals(parts[1])).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no hook case " + what));
                timing = time(peer, hookCase, warmUp, runs);
            }
            System.out.println(timing);
        }
    }
}
