package org.legcramp.cds.feedback;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Makes a committed ledger write reach the disk before the EHR gets its answer, so that an
 * acknowledged card or feedback survives a SIGKILL of the service and a power cut of the machine.
 * <p>
 * PostgreSQL needs nothing: its commit waits for the WAL to be flushed ({@code synchronous_commit},
 * on by default). The embedded H2 writes each commit to its file at once only with
 * {@code WRITE_DELAY=0} in the URL (the default delay of 1 s lost the last second of answered
 * writes to a SIGKILL), and never forces the file to the device on commit: {@code CHECKPOINT SYNC}
 * does (MVStore commit, then {@code FileChannel.force}). Concurrent callers share one sync: a sync
 * that started after a caller's commit covers it (group commit), so under load the cost of a
 * device flush is paid once for many calls.
 */
@Component
public class DurableCommits {

    private static final Logger log = LoggerFactory.getLogger(DurableCommits.class);

    private final JdbcClient jdbc;
    private final boolean embeddedH2;
    /** Commits announced so far, and the highest one a finished sync covers. */
    private final AtomicLong announced = new AtomicLong();
    private final Object syncing = new Object();
    private long covered;

    public DurableCommits(DataSource dataSource, JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.embeddedH2 = isH2(dataSource);
        if (embeddedH2) {
            // Fails start-up, not the first call, when the configured H2 user may not force the file.
            jdbc.sql("CHECKPOINT SYNC").update();
            log.info("Embedded database: every ledger commit is forced to disk (CHECKPOINT SYNC) before the answer");
        }
    }

    /** Call after the transaction committed; returns once what it wrote is on the device. */
    public void committed() {
        if (!embeddedH2) {
            return;
        }
        long mine = announced.incrementAndGet();
        synchronized (syncing) {
            if (covered >= mine) {
                return;
            }
            long upTo = announced.get();
            jdbc.sql("CHECKPOINT SYNC").update();
            covered = upTo;
        }
    }

    private static boolean isH2(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "H2".equals(connection.getMetaData().getDatabaseProductName())
                    && !connection.getMetaData().getURL().startsWith("jdbc:h2:mem:");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not open the database to check how it commits: " + e.getMessage(), e);
        }
    }
}
