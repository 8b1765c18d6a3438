package org.legcramp.cds.benchmark;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * {@code ./benchmark scaling}: cost of one hook call (parse, assemble, evaluate, cards; no HTTP,
 * no database) against the size of a synthetic chart, for every service, so that linearity shows:
 * charts padded with orders that reference Medications (the shape that used to grow
 * quadratically) and charts of mixed resources. Prints ms per chart (all services) and ms per 1,000
 * resources, and the slowest service; writes target/benchmark/results.md. A chart that takes longer
 * than {@code -Dlegcramp.benchmark.cap-seconds} (90) is stopped and reported as such. Not a test:
 * figures depend on the machine.
 */
public final class ChartScalingBenchmark {

    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    static final String PATIENT_ID = "pat-bench";
    /** Ingredient codes: thiazide, loop, calcium channel blocker, and two outside every value set (lisinopril, metformin). */
    private static final String[] DRUGS = {"5487", "4603", "11170", "29046", "6809"};
    private static final long BUDGET_NANOS = Duration.ofSeconds(20).toNanos();
    /** Longest a chart's first round may take; beyond it the chart is reported as stopped. */
    private static final Duration CAP = Duration.ofSeconds(Long.getLong("legcramp.benchmark.cap-seconds", 90));

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final ObjectMapper json = new ObjectMapper();
    private final InProcessHookCalls calls;
    private final RuleCatalog catalog;
    private final ExecutorService rounds = Executors.newSingleThreadExecutor();

    private ChartScalingBenchmark(Path root) {
        calls = new InProcessHookCalls(InProcessHookCalls.content(root), 100_000);
        catalog = calls.catalog();
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("legcramp.root", "."));
        ChartScalingBenchmark benchmark = new ChartScalingBenchmark(root);
        StringBuilder report = new StringBuilder();
        report.append(String.format("One hook call per service (%d services), in process, no HTTP; median of repeated calls%n%n",
                benchmark.catalog.services().size()));
        report.append(String.format("%-34s %9s %12s %12s %14s%n", "chart", "resources", "parse ms", "chart ms", "ms/1000 res"));
        System.out.print(report);
        benchmark.warmUp();
        // "quick": smaller charts, for an engine that is still quadratic (minutes per call at full size).
        boolean quick = List.of(args).contains("quick");
        for (int orders : quick ? new int[] {25, 100, 400} : new int[] {25, 400, 2000}) {
            benchmark.measure("orders referencing Medications: " + orders, benchmark.ordersChart(orders), report);
        }
        for (int resources : quick ? new int[] {200, 1000, 2000} : new int[] {200, 2000, 10000}) {
            benchmark.measure("mixed resources: " + resources, benchmark.mixedChart(resources), report);
        }
        Path out = root.resolve("target/benchmark");
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), "```\n" + report + "```\n");
        System.out.println("Written to " + out.resolve("results.md"));
        System.exit(0);
    }

    private void warmUp() {
        List<Resource> chart = ordersChart(25);
        for (int round = 0; round < 20; round++) {
            for (CdsService service : catalog.services()) {
                call(service, request(service, chart));
            }
        }
    }

    /**
     * Calls every service on the chart until the budget is spent (at least once), and reports the
     * medians and the slowest service. A chart whose first round takes longer than the cap is
     * stopped (interrupted, as a hook call is at its deadline) and reported as such.
     */
    private void measure(String label, List<Resource> chart, StringBuilder report) throws Exception {
        List<JsonNode> requests = new ArrayList<>();
        catalog.services().forEach(service -> requests.add(request(service, chart)));
        List<Double> chartMillis = new ArrayList<>();
        List<Double> parseMillis = new ArrayList<>();
        String slowest = "";
        int resources = chart.size() + 1;
        long started = System.nanoTime();
        do {
            Future<double[]> round = rounds.submit(() -> {
                double[] millis = new double[catalog.services().size() + 1];
                int i = 0;
                for (CdsService service : catalog.services()) {
                    long t = System.nanoTime();
                    millis[0] += call(service, requests.get(i));
                    millis[++i] = (System.nanoTime() - t) / 1e6;
                }
                return millis;
            });
            long t = System.nanoTime();
            double[] millis;
            try {
                millis = round.get(CAP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                round.cancel(true);
                String line = String.format("%-34s %9d %12s %12s %14s  stopped after %d s%n", label, resources, "", "> " + CAP.toMillis(),
                        "", CAP.toSeconds());
                System.out.print(line);
                report.append(line);
                return;
            }
            chartMillis.add((System.nanoTime() - t) / 1e6);
            parseMillis.add(millis[0]);
            int worst = 1;
            for (int k = 2; k < millis.length; k++) {
                worst = millis[k] > millis[worst] ? k : worst;
            }
            slowest = new ArrayList<>(catalog.services()).get(worst - 1).id() + String.format(" %.0f ms", millis[worst]);
        } while (System.nanoTime() - started < BUDGET_NANOS && chartMillis.size() < 30);
        double median = median(chartMillis);
        String line = String.format("%-34s %9d %12.1f %12.1f %14.2f  slowest: %s%n", label, resources, median(parseMillis), median,
                median / resources * 1000, slowest);
        System.out.print(line);
        report.append(line);
    }

    /** One hook call without HTTP; returns the milliseconds spent parsing. */
    private double call(CdsService service, JsonNode body) {
        long t = System.nanoTime();
        HookRequest request = calls.parse(body, service.hook(), service.dataNeeds());
        double parse = (System.nanoTime() - t) / 1e6;
        calls.cards(service, request, ZonedDateTime.now(ZoneOffset.UTC), null);
        return parse;
    }

    private JsonNode request(CdsService service, List<Resource> chart) {
        ObjectNode body = json.createObjectNode();
        body.put("hook", service.hook().id());
        body.put("hookInstance", "bench-" + service.id());
        ObjectNode context = body.putObject("context");
        context.put("userId", "Practitioner/bench");
        context.put("patientId", PATIENT_ID);
        if (service.hook().hasDraftOrders()) {
            MedicationRequest draft = order("draft-1", MedicationRequest.MedicationRequestStatus.DRAFT,
                    new CodeableConcept(new Coding(RXNORM, "310798", "hydrochlorothiazide 25 MG Oral Tablet")));
            context.set("draftOrders", bundle(List.of(draft)));
            if (service.hook() == Hook.ORDER_SELECT) {
                context.putArray("selections").add("MedicationRequest/draft-1");
            }
        }
        ObjectNode prefetch = body.putObject("prefetch");
        for (String key : service.prefetch().keySet()) {
            String template = service.prefetch().get(key);
            String type = template.substring(0, template.indexOf(template.contains("?") ? '?' : '/'));
            if (type.equals("Patient")) {
                prefetch.set(key, toJson(patient()));
                continue;
            }
            List<Resource> ofType = new ArrayList<>();
            for (Resource resource : chart) {
                boolean included = type.equals("MedicationRequest") && resource instanceof Medication;
                if (resource.fhirType().equals(type) || included) {
                    ofType.add(resource);
                }
            }
            prefetch.set(key, bundle(ofType));
        }
        return body;
    }

    private static List<Resource> ordersChart(int orders) {
        List<Resource> chart = new ArrayList<>();
        chart.add(condition("cond-cramp", "http://hl7.org/fhir/sid/icd-10-cm", "R25.2"));
        for (int i = 0; i < orders; i++) {
            addReferencingOrder(chart, i);
        }
        return chart;
    }

    /** Also used by {@link ApplyComparisonBenchmark}. 10% orders (each with its Medication), 40% observations, 20% conditions, 20% medication statements. */
    static List<Resource> mixedChart(int resources) {
        List<Resource> chart = new ArrayList<>();
        chart.add(condition("cond-cramp", "http://hl7.org/fhir/sid/icd-10-cm", "R25.2"));
        for (int i = 0; chart.size() < resources - 1; i++) {
            switch (i % 10) {
                case 0 -> addReferencingOrder(chart, i);
                case 1, 2, 3, 4 -> chart.add(observation(i));
                case 5, 6 -> chart.add(condition("cond-" + i, "http://snomed.info/sct", String.valueOf(38341003 + i % 7)));
                default -> chart.add(statement(i));
            }
        }
        return chart;
    }

    private static void addReferencingOrder(List<Resource> chart, int i) {
        Medication medication = new Medication();
        medication.setId("med-" + i);
        medication.setCode(new CodeableConcept(new Coding(RXNORM, "9" + i, "product " + i)));
        medication.addIngredient().setItem(new CodeableConcept(new Coding(RXNORM, DRUGS[i % DRUGS.length], "ingredient")));
        MedicationRequest.MedicationRequestStatus status = i % 7 == 0
                ? MedicationRequest.MedicationRequestStatus.STOPPED
                : MedicationRequest.MedicationRequestStatus.ACTIVE;
        MedicationRequest order = order("mr-" + i, status, null);
        order.setMedication(new Reference("Medication/med-" + i));
        if (i % 5 == 0) {
            order.addReasonReference(new Reference("Condition/cond-cramp"));
        }
        chart.add(medication);
        chart.add(order);
    }

    private static MedicationRequest order(String id, MedicationRequest.MedicationRequestStatus status, CodeableConcept drug) {
        MedicationRequest order = new MedicationRequest();
        order.setId(id);
        order.setStatus(status);
        order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        order.setSubject(new Reference("Patient/" + PATIENT_ID));
        order.setAuthoredOnElement(new DateTimeType(LocalDate.now().minusDays(30 + id.hashCode() % 300).toString()));
        if (drug != null) {
            order.setMedication(drug);
        }
        return order;
    }

    private static Condition condition(String id, String system, String code) {
        Condition condition = new Condition();
        condition.setId(id);
        condition.setSubject(new Reference("Patient/" + PATIENT_ID));
        condition.setClinicalStatus(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
        condition.setCode(new CodeableConcept(new Coding(system, code, null)));
        condition.setOnset(new DateTimeType(LocalDate.now().minusDays(60).toString()));
        return condition;
    }

    private static Observation observation(int i) {
        Observation observation = new Observation();
        observation.setId("obs-" + i);
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setSubject(new Reference("Patient/" + PATIENT_ID));
        observation.setCode(new CodeableConcept(new Coding("http://loinc.org", (2000 + i % 50) + "-0", null)));
        observation.setEffective(new DateTimeType(LocalDate.now().minusDays(i % 400).toString()));
        return observation;
    }

    private static MedicationStatement statement(int i) {
        MedicationStatement statement = new MedicationStatement();
        statement.setId("ms-" + i);
        statement.setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE);
        statement.setSubject(new Reference("Patient/" + PATIENT_ID));
        statement.setMedication(new CodeableConcept(new Coding(RXNORM, DRUGS[i % DRUGS.length], null)));
        return statement;
    }

    static Patient patient() {
        Patient patient = new Patient();
        patient.setId(PATIENT_ID);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1950-03-01"));
        return patient;
    }

    private JsonNode bundle(List<Resource> resources) {
        ObjectNode bundle = json.createObjectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "searchset");
        ArrayNode entries = bundle.putArray("entry");
        resources.forEach(resource -> entries.addObject().set("resource", toJson(resource)));
        return bundle;
    }

    private JsonNode toJson(Resource resource) {
        try {
            return json.readTree(fhir.newJsonParser().encodeResourceToString(resource));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
