package org.legcramp.cds.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.legcramp.cds.support.HookCase;

/**
 * The population simulation runs every rule over a folder of patients, as Bundles or as Bulk Data
 * NDJSON, with the typical drafts, and counts per rule and hook how many calls fired.
 */
class PopulationSimulationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PopulationSimulation.Result fromBundles;
    private static Path drafts;

    @TempDir
    static Path temp;

    /** Two patients made from hook cases: one with night cramps, one whose malaria rules quinine in; and one who died. */
    private static List<List<JsonNode>> population() {
        List<List<JsonNode>> patients = new ArrayList<>();
        patients.add(resources("fires-quinine-ingredient-for-sleep-cramps", "sim-cramps", false));
        patients.add(resources("silent-quinine-with-malaria-resolved-last-year", "sim-malaria", false));
        patients.add(resources("fires-quinine-ingredient-for-sleep-cramps", "sim-deceased", true));
        return patients;
    }

    private static List<JsonNode> resources(String hookCase, String patientId, boolean deceased) {
        JsonNode request = HookCase.named("quinine-for-cramps", hookCase).request();
        String original = request.at("/context/patientId").asText();
        List<JsonNode> resources = new ArrayList<>();
        request.get("prefetch").forEach(value -> {
            if (value.path("resourceType").asText().equals("Bundle")) {
                value.path("entry").forEach(entry -> resources.add(entry.get("resource")));
            } else {
                resources.add(value);
            }
        });
        List<JsonNode> renamed = new ArrayList<>();
        for (JsonNode resource : resources) {
            try {
                ObjectNode copy = (ObjectNode) JSON.readTree(resource.toString().replace("Patient/" + original + "\"", "Patient/" + patientId + "\"")
                        .replace("\"id\":\"" + original + "\"", "\"id\":\"" + patientId + "\""));
                if (deceased && copy.path("resourceType").asText().equals("Patient")) {
                    copy.put("deceasedDateTime", "2025-01-01");
                }
                if (!copy.path("resourceType").asText().equals("Patient")) {
                    copy.put("id", patientId + "-" + copy.path("id").asText());
                }
                renamed.add(copy);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return renamed;
    }

    @BeforeAll
    static void simulateTheBundles() throws Exception {
        drafts = temp.resolve("drafts.json");
        Files.writeString(drafts, """
                {"drafts": [
                  {"label": "quinine", "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "997010",
                   "display": "Quinine Sulfate 324 MG Oral Capsule"},
                  {"label": "hydrochlorothiazide", "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "310798",
                   "display": "hydrochlorothiazide 25 MG Oral Tablet"}],
                 "hooks": {"order-select": ["quinine"]}}""");
        Path bundles = Files.createDirectories(temp.resolve("bundles"));
        int n = 0;
        for (List<JsonNode> patient : population()) {
            ObjectNode bundle = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "collection");
            var entries = bundle.putArray("entry");
            patient.forEach(resource -> entries.addObject().set("resource", resource));
            Files.writeString(bundles.resolve("patient-" + n++ + ".json"), bundle.toString());
        }
        fromBundles = new PopulationSimulation(Path.of(".."), Drafts.read(drafts)).run(bundles, temp.resolve("work-1"), false);
    }

    private static PopulationSimulation.RuleHook rule(PopulationSimulation.Result result, String rule, String hook) {
        return result.rules().stream().filter(r -> r.rule.equals(rule) && r.hook.equals(hook)).findFirst().orElseThrow();
    }

    @Test
    void everyRuleIsCountedPerHookWithItsCallsAsTheDenominator() {
        var quinineSign = rule(fromBundles, "quinine-for-cramps", "order-sign");

        assertThat(fromBundles.patients()).isEqualTo(2);
        assertThat(fromBundles.deceased()).isEqualTo(1);
        assertThat(quinineSign.patientsSeen).hasSize(2);
        assertThat(quinineSign.calls).as("two patients, two drafts").isEqualTo(4);
        assertThat(quinineSign.fired).as("quinine for the patient without malaria only").isEqualTo(1);
        assertThat(quinineSign.per1000()).isEqualTo(250.0);
        assertThat(quinineSign.byDraft.get("quinine")).containsExactly(2, 1);
        assertThat(quinineSign.byDraft.get("hydrochlorothiazide")).containsExactly(2, 0);
    }

    @Test
    void eachOrderHookGetsItsOwnTypicalDrafts() {
        var quinineSelect = rule(fromBundles, "quinine-for-cramps", "order-select");

        assertThat(quinineSelect.calls).as("order-select writes only the quinine draft").isEqualTo(2);
        assertThat(quinineSelect.byDraft).containsOnlyKeys("quinine");
    }

    @Test
    void theLinesSayRuleHookPatientsFiredAndRatePer1000() {
        assertThat(PopulationSimulation.lines(fromBundles))
                .contains("rule=quinine-for-cramps hook=order-sign patients=2 fired=1 per1000=250.0 calls=4 patientsFired=1")
                .allMatch(line -> line.matches("rule=\\S+ hook=(patient-view|order-select|order-sign) patients=\\d+ fired=\\d+ per1000=\\d+\\.\\d .*"))
                .hasSize(15);
    }

    @Test
    void bulkDataNdjsonGivesTheSameCountsAsBundles() throws Exception {
        Path bulk = Files.createDirectories(temp.resolve("bulk"));
        Map<String, StringBuilder> byType = new LinkedHashMap<>();
        for (List<JsonNode> patient : population()) {
            patient.forEach(resource -> byType.computeIfAbsent(resource.get("resourceType").asText(), t -> new StringBuilder())
                    .append(resource).append('\n'));
        }
        for (var type : byType.entrySet()) {
            Files.writeString(bulk.resolve(type.getKey() + ".ndjson"), type.getValue());
        }

        var fromBulk = new PopulationSimulation(Path.of(".."), Drafts.read(drafts)).run(bulk, temp.resolve("work-2"), false);

        assertThat(PopulationSimulation.lines(fromBulk)).isEqualTo(PopulationSimulation.lines(fromBundles));
        assertThat(temp.resolve("work-2")).isEmptyDirectory();
    }

    @Test
    void theReportHasTheRatesTheAlertRatePerHookTheErrorsAndTheSlowPatients() throws IOException {
        Path out = temp.resolve("report");
        SimulationReport.write(out, fromBundles, "two test patients", Drafts.read(drafts), 1);

        String report = Files.readString(out.resolve("report.md"));
        assertThat(report).contains("| quinine-for-cramps | order-sign | 2 | 4 | 1 | 250.0 |")
                .contains("## Alert rate per hook").contains("## Evaluation errors").contains("## Slow patients")
                .contains("patient-0.json");
        assertThat(Files.readString(out.resolve("firing-rates.svg"))).startsWith("<svg").contains("quinine-for-cramps order-sign");
    }

    @Test
    void draftsThatNameNoCodeOrAnUnlistedDraftAreRefusedWithTheReason() throws IOException {
        Path noCode = temp.resolve("no-code.json");
        Files.writeString(noCode, "{\"drafts\": [{\"label\": \"x\", \"system\": \"http://www.nlm.nih.gov/research/umls/rxnorm\"}]}");
        assertThatThrownBy(() -> Drafts.read(noCode)).hasMessageContaining("drafts[0] needs 'code'");

        Path unlisted = temp.resolve("unlisted.json");
        Files.writeString(unlisted, """
                {"drafts": [{"label": "quinine", "system": "s", "code": "997010"}], "hooks": {"order-sign": ["baclofen"]}}""");
        assertThatThrownBy(() -> Drafts.read(unlisted)).hasMessageContaining("hooks.order-sign names 'baclofen'");
    }
}
