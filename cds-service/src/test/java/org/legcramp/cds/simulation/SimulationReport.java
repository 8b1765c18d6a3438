package org.legcramp.cds.simulation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.legcramp.cds.hooks.Hook;

/** {@code target/simulation/report.md} and its chart, {@code firing-rates.svg}. */
final class SimulationReport {

    private SimulationReport() {}

    static void write(Path out, PopulationSimulation.Result result, String label, Drafts drafts, double seconds) throws IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder();
        md.append("# Population simulation\n\n");
        md.append(String.format(Locale.ROOT, "Population: %s: %d patients evaluated (%d deceased records skipped), %.0f s.%n%n",
                label, result.patients(), result.deceased(), seconds));
        md.append("Every rule on every hook, whatever its configured mode; patient-view once per patient, each order hook once per "
                + "typical draft and patient (");
        for (Hook hook : Hook.values()) {
            if (hook.hasDraftOrders()) {
                md.append(hook.id()).append(": ").append(drafts.of(hook).stream().map(d -> d.label() + " " + d.code())
                        .collect(Collectors.joining(", "))).append("; ");
            }
        }
        md.setLength(md.length() - 2);
        md.append("). A call fires when the rule gives at least one card; per 1,000 is per 1,000 calls.\n\n");
        md.append("![firing rates per 1,000 calls](firing-rates.svg)\n\n");

        md.append("## Per rule and hook\n\n| rule | hook | patients | calls | fired | per 1,000 calls | patients with a card | errors |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (var r : result.rules()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %d (%.0f%%) | %d |%n", r.rule, r.hook,
                    r.patientsSeen.size(), r.calls, r.fired, r.per1000(), r.patientsFired.size(),
                    r.patientsSeen.isEmpty() ? 0.0 : 100.0 * r.patientsFired.size() / r.patientsSeen.size(), r.errors));
        }

        md.append("\n## Order hooks: share of each draft that fired the rule\n\n");
        List<String> labels = new ArrayList<>();
        drafts.byHook().values().forEach(list -> list.forEach(d -> {
            if (!labels.contains(d.label())) {
                labels.add(d.label());
            }
        }));
        md.append("| rule | hook | ").append(String.join(" | ", labels)).append(" |\n|---|---|");
        labels.forEach(l -> md.append("---|"));
        md.append('\n');
        for (var r : result.rules()) {
            if (r.hook.equals(Hook.PATIENT_VIEW.id())) {
                continue;
            }
            md.append("| ").append(r.rule).append(" | ").append(r.hook).append(" |");
            for (String draft : labels) {
                long[] counts = r.byDraft.get(draft);
                md.append(counts == null || counts[0] == 0 ? " - |"
                        : String.format(Locale.ROOT, " %.0f%% |", 100.0 * counts[1] / counts[0]));
            }
            md.append('\n');
        }

        md.append("\n## Alert rate per hook (calls with any card, all rules of the hook together)\n\n| hook | calls | with a card | rate |\n|---|---|---|---|\n");
        for (Map.Entry<Hook, long[]> hook : result.alertRate().entrySet()) {
            long[] v = hook.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f%% |%n", hook.getKey().id(), v[0], v[1],
                    v[0] == 0 ? 0.0 : 100.0 * v[1] / v[0]));
        }

        md.append("\n## Evaluation errors\n\n");
        if (result.errors().isEmpty()) {
            md.append("None.\n");
        } else {
            md.append("| service: error | calls |\n|---|---|\n");
            result.errors().forEach((kind, n) -> md.append("| ").append(kind).append(" | ").append(n).append(" |\n"));
        }

        List<PopulationSimulation.PatientTime> slowest = result.times().stream().sorted(PopulationSimulation.slowestFirst()).limit(10).toList();
        long slow = result.times().stream().filter(t -> t.slowestCallMs() > PopulationSimulation.SLOW_MS).count();
        md.append(String.format(Locale.ROOT, "%n## Slow patients%n%n%d patients had a hook call slower than %.0f ms (the service's "
                + "deadline is 2 s). The slowest ten (source file, not patient data):%n%n", slow, PopulationSimulation.SLOW_MS));
        if (result.loadAverage() >= 0) {
            md.append(String.format(Locale.ROOT, "Load average at the end of the run: %.1f on %d cores%s.%n%n", result.loadAverage(),
                    result.cores(), result.loadAverage() > result.cores()
                            ? " (other work shared the machine: these times are longer than the service's own would be)" : ""));
        }
        md.append("| source | resources | slowest hook call | ms | all hook calls, ms |\n|---|---|---|---|---|\n");
        slowest.forEach(t -> md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f |%n", t.source(), t.resources(),
                t.slowestHook(), t.slowestCallMs(), t.totalMs())));

        md.append("\n## Lines\n\n```\n");
        PopulationSimulation.lines(result).forEach(line -> md.append(line).append('\n'));
        md.append("```\n");
        Files.writeString(out.resolve("report.md"), md.toString());
        Files.writeString(out.resolve("firing-rates.svg"), chart(result));
    }

    /** Horizontal bars, one per rule and hook, of calls fired per 1,000. */
    static String chart(PopulationSimulation.Result result) {
        List<PopulationSimulation.RuleHook> rows = result.rules();
        double max = Math.max(1, rows.stream().mapToDouble(PopulationSimulation.RuleHook::per1000).max().orElse(1));
        int labelWidth = 330;
        int barWidth = 420;
        int rowHeight = 22;
        int height = 40 + rows.size() * rowHeight;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelWidth + barWidth + 80, height));
        svg.append("<text x=\"4\" y=\"16\" font-weight=\"bold\">Calls fired per 1,000, per rule and hook</text>\n");
        String[] colours = {"#4e79a7", "#f28e2b", "#59a14f"};
        int y = 30;
        for (var r : rows) {
            int hook = Hook.byId(r.hook).map(Enum::ordinal).orElse(0);
            int width = (int) Math.round(barWidth * r.per1000() / max);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s %s</text>%n", labelWidth - 6,
                    y + 14, escape(r.rule), escape(r.hook)));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n", labelWidth,
                    y + 3, Math.max(width, 1), rowHeight - 6, colours[hook]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.1f</text>%n", labelWidth + Math.max(width, 1) + 4,
                    y + 14, r.per1000()));
            y += rowHeight;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;");
    }
}
