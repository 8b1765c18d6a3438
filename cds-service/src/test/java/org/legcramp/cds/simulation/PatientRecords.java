package org.legcramp.cds.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Patients' records from a folder, one patient at a time, as a FHIR server would return them:
 * {@code urn:uuid:} references become {@code Type/id}, and only the types the services read are kept
 * (Medications only those the patient's orders reference, as {@code _include} gives).
 *
 * <p>Two layouts: FHIR Bundles ({@code *.json}, one or more patients each, Synthea's export) read a
 * file at a time; FHIR Bulk Data NDJSON ({@code *.ndjson}, one resource a line, a file per type, a
 * patient's resources spread over all of them) partitioned first, in one streaming pass, into bucket
 * files by a hash of the patient's id, then read a bucket at a time, so memory holds one bucket, not
 * the population.
 */
public final class PatientRecords {

    /** One patient's record: its resources by type, as JSON. {@code source} says where it came from (no patient data). */
    public record Chart(String source, String patientId, Map<String, List<ObjectNode>> byType) {

        public int resources() {
            return byType.values().stream().mapToInt(List::size).sum();
        }

        public boolean deceased() {
            ObjectNode patient = byType.get("Patient").get(0);
            return patient.has("deceasedDateTime") || patient.path("deceasedBoolean").asBoolean(false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BUCKET_BYTES = 16L * 1024 * 1024;

    private final Set<String> keptTypes;

    /** @param keptTypes the resource types to keep (what the services prefetch); Patient and Medication always */
    public PatientRecords(Set<String> keptTypes) {
        this.keptTypes = new HashSet<>(keptTypes);
        this.keptTypes.add("Patient");
        this.keptTypes.add("Medication");
    }

    /**
     * Hands every patient of the folder to {@code each}, in file order; NDJSON partitions go to
     * {@code workDir}. The caller bounds how many it holds at once.
     */
    public void forEach(Path folder, Path workDir, Consumer<Chart> each) throws IOException {
        List<Path> bundles;
        List<Path> ndjson;
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> all = files.sorted().toList();
            bundles = all.stream().filter(p -> p.toString().endsWith(".json")).toList();
            ndjson = all.stream().filter(p -> p.toString().endsWith(".ndjson")).toList();
        }
        if (bundles.isEmpty() && ndjson.isEmpty()) {
            throw new IllegalArgumentException(folder + " has no FHIR Bundles (*.json) and no Bulk Data files (*.ndjson)");
        }
        for (Path file : bundles) {
            JsonNode bundle = JSON.readTree(file.toFile());
            if (!"Bundle".equals(bundle.path("resourceType").asText())) {
                continue; // Synthea's hospital and practitioner files are Bundles too; anything else is not a record
            }
            List<ObjectNode> resources = new ArrayList<>();
            Map<String, String> byFullUrl = new HashMap<>();
            for (JsonNode entry : bundle.path("entry")) {
                JsonNode resource = entry.path("resource");
                if (resource instanceof ObjectNode object) {
                    resources.add(object);
                    if (entry.hasNonNull("fullUrl")) {
                        byFullUrl.put(entry.get("fullUrl").asText(), reference(object));
                    }
                }
            }
            resources.forEach(resource -> resolveReferences(resource, byFullUrl));
            charts(file.getFileName().toString(), resources, Map.of()).forEach(each);
        }
        if (!ndjson.isEmpty()) {
            forEachBulk(ndjson, workDir, each);
        }
    }

    private void forEachBulk(List<Path> files, Path workDir, Consumer<Chart> each) throws IOException {
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
        }
        int buckets = (int) Math.max(1, Math.min(4096, bytes / BUCKET_BYTES + 1));
        Files.createDirectories(workDir);
        Map<String, ObjectNode> medications = new HashMap<>();
        BufferedWriter[] writers = new BufferedWriter[buckets];
        try {
            for (int i = 0; i < buckets; i++) {
                writers[i] = Files.newBufferedWriter(workDir.resolve("bucket-" + i + ".ndjson"), StandardCharsets.UTF_8);
            }
            for (Path file : files) {
                try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.isBlank()) {
                            continue;
                        }
                        ObjectNode resource = (ObjectNode) JSON.readTree(line);
                        String type = resource.path("resourceType").asText();
                        if (!keptTypes.contains(type)) {
                            continue;
                        }
                        if (type.equals("Medication")) {
                            medications.put(resource.path("id").asText(), resource);
                            continue;
                        }
                        String patient = patientOf(resource);
                        if (patient != null) {
                            BufferedWriter writer = writers[Math.floorMod(patient.hashCode(), buckets)];
                            writer.write(line.strip());
                            writer.newLine();
                        }
                    }
                }
            }
        } finally {
            for (BufferedWriter writer : writers) {
                if (writer != null) {
                    writer.close();
                }
            }
        }
        for (int i = 0; i < buckets; i++) {
            Path bucket = workDir.resolve("bucket-" + i + ".ndjson");
            List<ObjectNode> resources = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(bucket, StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    resources.add((ObjectNode) JSON.readTree(line));
                }
            }
            Files.delete(bucket);
            charts("bulk bucket " + i, resources, medications).forEach(each);
        }
    }

    /** Groups resources by the patient they belong to; resources of no patient (Medications) go with the orders that name them. */
    private List<Chart> charts(String source, List<ObjectNode> resources, Map<String, ObjectNode> sharedMedications) {
        Map<String, Map<String, List<ObjectNode>>> byPatient = new LinkedHashMap<>();
        Map<String, ObjectNode> medications = new HashMap<>(sharedMedications);
        for (ObjectNode resource : resources) {
            String type = resource.path("resourceType").asText();
            if (type.equals("Medication")) {
                medications.put(resource.path("id").asText(), resource);
                continue;
            }
            if (!keptTypes.contains(type)) {
                continue;
            }
            String patient = patientOf(resource);
            if (patient != null) {
                byPatient.computeIfAbsent(patient, p -> new LinkedHashMap<>()).computeIfAbsent(type, t -> new ArrayList<>()).add(resource);
            }
        }
        List<Chart> charts = new ArrayList<>();
        int index = 0;
        for (var patient : byPatient.entrySet()) {
            Map<String, List<ObjectNode>> byType = patient.getValue();
            if (byType.getOrDefault("Patient", List.of()).size() != 1) {
                continue; // resources whose Patient is not in the folder
            }
            List<ObjectNode> referenced = new ArrayList<>();
            for (ObjectNode order : byType.getOrDefault("MedicationRequest", List.of())) {
                String reference = order.path("medicationReference").path("reference").asText("");
                if (reference.startsWith("Medication/") && medications.containsKey(reference.substring(11))) {
                    referenced.add(medications.get(reference.substring(11)));
                }
            }
            if (!referenced.isEmpty()) {
                byType.put("Medication", referenced);
            }
            charts.add(new Chart(byPatient.size() == 1 ? source : source + " #" + index, patient.getKey(), byType));
            index++;
        }
        return charts;
    }

    /** The id of the patient a resource belongs to: its own for a Patient, else its subject or patient. */
    static String patientOf(JsonNode resource) {
        if ("Patient".equals(resource.path("resourceType").asText())) {
            return resource.path("id").asText(null);
        }
        for (String field : List.of("subject", "patient", "beneficiary")) {
            String reference = resource.path(field).path("reference").asText("");
            if (reference.startsWith("Patient/")) {
                return reference.substring("Patient/".length());
            }
        }
        return null;
    }

    private static String reference(JsonNode resource) {
        return resource.path("resourceType").asText() + "/" + resource.path("id").asText();
    }

    /** {@code urn:uuid:} references to resources of the same bundle become {@code Type/id}. */
    public static void resolveReferences(JsonNode node, Map<String, String> byFullUrl) {
        if (node instanceof ObjectNode object) {
            JsonNode reference = object.get("reference");
            if (reference != null && reference.isTextual() && reference.asText().startsWith("urn:uuid:")) {
                String resolved = byFullUrl.get(reference.asText());
                if (resolved != null) {
                    object.set("reference", TextNode.valueOf(resolved));
                }
            }
            for (Iterator<JsonNode> children = object.elements(); children.hasNext(); ) {
                resolveReferences(children.next(), byFullUrl);
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> resolveReferences(child, byFullUrl));
        }
    }
}
