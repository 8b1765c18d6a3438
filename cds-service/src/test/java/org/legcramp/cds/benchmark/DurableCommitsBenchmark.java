package org.legcramp.cds.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.h2.jdbcx.JdbcConnectionPool;
import org.legcramp.cds.feedback.DurableCommits;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code ./benchmark durability}: what it costs to keep an answered card through a SIGKILL and a
 * power cut on the embedded database. One "call" = what CardLedger.recordIssued writes: one card
 * row in one transaction, then {@link DurableCommits}. Three set-ups of an H2 file: H2's default
 * (commits written up to 1 s later: lost to a SIGKILL), {@code WRITE_DELAY=0} (written at commit:
 * survives a SIGKILL), and {@code WRITE_DELAY=0} with the file forced to disk before answering
 * (survives a power cut; the default now). One caller, then four. Not a test: figures depend on
 * the disk.
 */
public final class DurableCommitsBenchmark {

    private static final int WARM_UP = 200;
    private static final int MEASURED = 2000;

    private DurableCommitsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("durable-commits");
        StringBuilder report = new StringBuilder(String.format("%-70s %8s %8s %8s %10s%n",
                "ledger write per call, H2 file in " + dir.getParent() + " (ms)", "median", "p99", "max", "calls/s"));
        for (int callers : new int[] {1, 4}) {
            report.append(measure(dir, "H2 default (WRITE_DELAY 1 s): lost to SIGKILL", "", false, callers));
            report.append(measure(dir, "WRITE_DELAY=0: survives SIGKILL", ";WRITE_DELAY=0", false, callers));
            report.append(measure(dir, "WRITE_DELAY=0 + CHECKPOINT SYNC: survives power cut", ";WRITE_DELAY=0", true, callers));
        }
        System.out.print(report);
        Path out = Path.of(System.getProperty("legcramp.root", "."), "target", "benchmark", "durability.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    private static String measure(Path dir, String label, String settings, boolean sync, int callers) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()) + ";AUTO_SERVER=FALSE" + settings;
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "legcramp", "");
        try {
            JdbcClient jdbc = JdbcClient.create(pool);
            jdbc.sql("CREATE TABLE issued_card (card_uuid VARCHAR(36) PRIMARY KEY, service_id VARCHAR(200), "
                    + "issued_at TIMESTAMP WITH TIME ZONE)").update();
            DurableCommits durable = sync ? new DurableCommits(pool, jdbc) : null;
            ExecutorService threads = Executors.newFixedThreadPool(callers);
            List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
            long started = 0;
            for (int phase = 0; phase < 2; phase++) {
                int calls = phase == 0 ? WARM_UP : MEASURED;
                boolean measured = phase == 1;
                if (measured) {
                    started = System.nanoTime();
                }
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    running.add(threads.submit(() -> {
                        long t = System.nanoTime();
                        record(pool, durable);
                        if (measured) {
                            nanos.add(System.nanoTime() - t);
                        }
                    }));
                }
                for (Future<?> call : running) {
                    call.get();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            threads.shutdown();
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return String.format("%-70s %8.2f %8.2f %8.2f %10.0f%n", label + ", " + callers + " caller(s)",
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6,
                    sorted.get(sorted.size() - 1) / 1e6, MEASURED / seconds);
        } finally {
            pool.dispose();
        }
    }

    /** One call's cards in one transaction, as CardLedger.recordIssued writes them, then made durable. */
    private static void record(JdbcConnectionPool pool, DurableCommits durable) {
        try (var connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (var insert = connection.prepareStatement("INSERT INTO issued_card VALUES (?, ?, ?)")) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, "quinine-for-cramps-order-sign");
                insert.setTimestamp(3, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            connection.commit();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        if (durable != null) {
            durable.committed();
        }
    }
}
