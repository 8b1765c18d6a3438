package org.legcramp.cds.monitoring;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The secret repeat keys are made with: {@code legcramp.repeat-suppression.key} when configured
 * (production requires it), otherwise one generated at random the first time a database is used and
 * kept in it, so every instance on that database makes the same keys.
 */
@Component
public class RepeatKeySecret {

    private static final String NAME = "repeat-suppression-key";

    private final byte[] secret;

    public RepeatKeySecret(AlertProperties properties, JdbcClient jdbc) {
        String configured = properties.repeatSuppression().key();
        if (configured != null && !configured.isBlank()) {
            if (configured.length() < 32) {
                throw new IllegalStateException("legcramp.repeat-suppression.key must be at least 32 characters");
            }
            secret = configured.getBytes(StandardCharsets.UTF_8);
        } else if (properties.repeatSuppression().requireKey()) {
            throw new IllegalStateException("legcramp.repeat-suppression.key is required in this profile (a secret of at least"
                    + " 32 characters, the same on every instance; see docs/deployment.md)");
        } else {
            secret = Base64.getDecoder().decode(perDatabase(jdbc));
        }
    }

    byte[] bytes() {
        return secret.clone();
    }

    private static String perDatabase(JdbcClient jdbc) {
        Optional<String> stored = read(jdbc);
        if (stored.isPresent()) {
            return stored.get();
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        try {
            jdbc.sql("INSERT INTO service_secret (name, secret) VALUES (:name, :secret)")
                    .param("name", NAME).param("secret", Base64.getEncoder().encodeToString(random)).update();
        } catch (DuplicateKeyException anotherInstanceWasFirst) {
            // the other instance's secret is the one read back below
        }
        return read(jdbc).orElseThrow();
    }

    private static Optional<String> read(JdbcClient jdbc) {
        return jdbc.sql("SELECT secret FROM service_secret WHERE name = :name").param("name", NAME).query(String.class).optional();
    }
}
