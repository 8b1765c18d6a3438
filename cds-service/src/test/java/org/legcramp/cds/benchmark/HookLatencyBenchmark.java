package org.legcramp.cds.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.legcramp.cds.CdsApplication;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.casetest.HookCaseSpec;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./benchmark}: latency of real hook calls over loopback HTTP against the running
 * application (full prefetch, cards recorded in an in-memory database), per service, one caller at
 * a time, then throughput with several callers. Prints a table to compare between runs and writes
 * it to target/benchmark/results.md. Not a test: figures depend on the machine.
 */
public final class HookLatencyBenchmark {

    private static final int WARM_UP = 300;
    private static final int MEASURED = 1000;
    private static final int CALLERS = 4;
    private static final List<String[]> CASES = List.of(
            new String[] {"quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps"},
            new String[] {"new-diuretic", "silent-thiazide-renewal"},
            new String[] {"liver-disease-cramps-baclofen", "fires-cirrhosis-with-cramps"},
            new String[] {"persistent-unexplained-cramps", "fires-cramps-recorded-twice"});

    private HookLatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("legcramp.root", "."));
        long started = System.nanoTime();
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CdsApplication.class).run(
                "--server.port=0", "--spring.datasource.url=jdbc:h2:mem:benchmark;DB_CLOSE_DELAY=-1",
                "--logging.level.root=WARN", "--logging.level.org.legcramp=WARN",
                "--legcramp.content-location=" + root.resolve("cds-service/target/classes/content").toUri());
        double startSeconds = (System.nanoTime() - started) / 1e9;
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        CdsClient client = new CdsClient(port);
        StringBuilder report = new StringBuilder();
        report.append(String.format("Start-up to ready (in-process, content translated, warmed up): %.1f s%n%n", startSeconds));
        report.append(String.format("%-62s %8s %8s %8s %8s%n", "one caller, " + MEASURED + " calls each (ms)", "median", "p95", "p99", "max"));
        try {
            List<HookCaseSpec> cases = new ArrayList<>();
            for (String[] c : CASES) {
                cases.add(CaseFiles.hookCases(root, c[0], c[1]).get(0));
            }
            for (HookCaseSpec hookCase : cases) {
                String path = "/cds-services/" + hookCase.service();
                String body = hookCase.request().toString();
                for (int i = 0; i < WARM_UP; i++) {
                    call(client, path, body);
                }
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < MEASURED; i++) {
                    long t = System.nanoTime();
                    call(client, path, body);
                    millis.add((System.nanoTime() - t) / 1e6);
                }
                Collections.sort(millis);
                report.append(String.format("%-62s %8.2f %8.2f %8.2f %8.2f%n", hookCase.displayName(),
                        at(millis, 0.50), at(millis, 0.95), at(millis, 0.99), millis.get(millis.size() - 1)));
            }
            report.append(String.format("%n%d callers, all four cases in turn: %.0f calls/s%n", CALLERS, throughput(client, cases)));
        } finally {
            app.close();
        }
        System.out.print(report);
        Path out = root.resolve("target/benchmark");
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), "```\n" + report + "```\n");
        System.out.println("Written to " + out.resolve("results.md"));
        System.exit(0);
    }

    private static double throughput(CdsClient client, List<HookCaseSpec> cases) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        int calls = MEASURED * 2;
        long t = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            HookCaseSpec hookCase = cases.get(i % cases.size());
            String path = "/cds-services/" + hookCase.service();
            String body = hookCase.request().toString();
            futures.add(pool.submit(() -> call(client, path, body)));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        pool.shutdown();
        return calls / seconds;
    }

    private static void call(CdsClient client, String path, String body) {
        var reply = client.post(path, body);
        if (reply.status() != 200) {
            throw new IllegalStateException(path + " answered " + reply.status() + ": " + reply.body());
        }
    }

    private static double at(List<Double> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(quantile * sorted.size())));
    }
}
