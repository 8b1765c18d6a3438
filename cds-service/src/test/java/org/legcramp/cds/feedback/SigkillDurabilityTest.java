package org.legcramp.cds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.legcramp.cds.support.CdsClient;
import org.legcramp.cds.support.HookCase;
import org.legcramp.cds.support.ServiceProcess;

/**
 * Nothing the service answered 200 for is lost when it is killed (SIGKILL) under load: the service
 * runs in its own JVM, EHR threads post order-sign calls and feedback on the cards they get back,
 * the process is killed mid-load, and every acknowledged card and feedback must be in the
 * database afterwards. On the embedded default (H2 file) and on PostgreSQL.
 */
class SigkillDurabilityTest {

    private static final String SERVICE = "/cds-services/quinine-for-cramps-order-sign";
    private static final int EHR_THREADS = 4;
    private static final int KILL_AFTER_ACKNOWLEDGED_CARDS = 120;

    @TempDir
    Path workDir;

    @Test
    void acknowledgedCardsAndFeedbackSurviveSigkillOnTheEmbeddedDefaultDatabase() throws Exception {
        // Only the packaged application.yml (the test class path's in-memory override left out): its default H2 file.
        ServiceProcess service = ServiceProcess.start(workDir, Duration.ofSeconds(90),
                "--spring.config.location=classpath:/application.yml", "--legcramp.data-dir=" + workDir.resolve("data"));
        Acknowledged acknowledged = loadUntilKilled(service);

        String url = "jdbc:h2:file:" + workDir.resolve("data").resolve("legcramp");
        assertNothingLost(acknowledged, url, "legcramp", "");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "LEGCRAMP_TEST_POSTGRES_URL", matches = "jdbc:postgresql:.+")
    void acknowledgedCardsAndFeedbackSurviveSigkillOnPostgresql() throws Exception {
        String url = System.getenv("LEGCRAMP_TEST_POSTGRES_URL");
        String user = System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_USER", "legcramp");
        String password = System.getenv().getOrDefault("LEGCRAMP_TEST_POSTGRES_PASSWORD", "legcramp");
        ServiceProcess service = ServiceProcess.start(workDir, Duration.ofSeconds(90),
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + user,
                "--spring.datasource.password=" + password);
        Acknowledged acknowledged = loadUntilKilled(service);

        assertNothingLost(acknowledged, url, user, password);
    }

    /** What the service answered 200 for: card uuids, and feedback as "uuid|outcome". */
    private record Acknowledged(Set<String> cards, Set<String> feedback) {}

    private Acknowledged loadUntilKilled(ServiceProcess service) throws Exception {
        JsonNode request = HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request();
        Set<String> cards = ConcurrentHashMap.newKeySet();
        Set<String> feedback = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        CdsClient client = new CdsClient(service.port());
        List<Thread> ehrs = new ArrayList<>();
        for (int i = 0; i < EHR_THREADS; i++) {
            Thread ehr = new Thread(() -> {
                try {
                    while (!killed.get()) {
                        var reply = client.post(SERVICE, request);
                        if (reply.status() != 200) {
                            continue;
                        }
                        List<String> issued = new ArrayList<>();
                        reply.json().get("cards").forEach(card -> issued.add(card.get("uuid").asText()));
                        cards.addAll(issued);
                        String first = issued.get(0);
                        String body = """
                                {"feedback": [{"card": "%s", "outcome": "overridden", "outcomeTimestamp": "%s",
                                  "overrideReason": {"reason": {"system": "http://legcrampcds.org/fhir/CodeSystem/override-reason",
                                  "code": "patient-declined"}}}]}""".formatted(first, OffsetDateTime.now(ZoneOffset.UTC));
                        if (client.post(SERVICE + "/feedback", body).status() == 200) {
                            feedback.add(first + "|overridden");
                        }
                    }
                } catch (IllegalStateException connectionGone) {
                    // the process was killed under this call: not acknowledged, nothing to count
                }
            });
            ehr.start();
            ehrs.add(ehr);
        }
        Instant giveUp = Instant.now().plusSeconds(60);
        while (cards.size() < KILL_AFTER_ACKNOWLEDGED_CARDS && Instant.now().isBefore(giveUp)) {
            Thread.sleep(20);
        }
        assertThat(cards).as("cards acknowledged under load before the kill:\n" + service.logTail())
                .hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKNOWLEDGED_CARDS);
        service.kill();
        killed.set(true);
        for (Thread ehr : ehrs) {
            ehr.join(20_000);
        }
        return new Acknowledged(Set.copyOf(cards), Set.copyOf(feedback));
    }

    private static void assertNothingLost(Acknowledged acknowledged, String url, String user, String password)
            throws SQLException {
        Set<String> storedCards = new HashSet<>();
        Set<String> storedFeedback = new HashSet<>();
        try (Connection db = DriverManager.getConnection(url, user, password); Statement sql = db.createStatement()) {
            try (ResultSet rows = sql.executeQuery("SELECT card_uuid FROM issued_card")) {
                while (rows.next()) {
                    storedCards.add(rows.getString(1));
                }
            }
            try (ResultSet rows = sql.executeQuery("SELECT card_uuid, outcome FROM card_feedback")) {
                while (rows.next()) {
                    storedFeedback.add(rows.getString(1) + "|" + rows.getString(2));
                }
            }
        }
        Set<String> lostCards = new HashSet<>(acknowledged.cards());
        lostCards.removeAll(storedCards);
        Set<String> lostFeedback = new HashSet<>(acknowledged.feedback());
        lostFeedback.removeAll(storedFeedback);
        assertThat(acknowledged.feedback()).as("feedback acknowledged before the kill").isNotEmpty();
        assertThat(lostCards).as("acknowledged cards lost, of " + acknowledged.cards().size()).isEmpty();
        assertThat(lostFeedback).as("acknowledged feedback lost, of " + acknowledged.feedback().size()).isEmpty();
    }
}
