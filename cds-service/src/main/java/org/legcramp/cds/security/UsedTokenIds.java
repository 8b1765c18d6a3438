package org.legcramp.cds.security;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code jti} of every token accepted, kept until the token expires, in the shared database so
 * that a replay is refused whichever instance behind the load balancer receives it.
 */
@Repository
public class UsedTokenIds {

    private static final int PURGE_EVERY = 500;

    private final JdbcClient jdbc;
    private final AtomicLong uses = new AtomicLong();

    public UsedTokenIds(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return true the first time this issuer's jti is seen, false for a replay */
    public boolean firstUse(String issuer, String jti, Instant expiresAt) {
        if (uses.incrementAndGet() % PURGE_EVERY == 0) {
            jdbc.sql("DELETE FROM used_token WHERE expires_at < :now").param("now", Timestamp.from(Instant.now())).update();
        }
        try {
            jdbc.sql("INSERT INTO used_token (issuer, jti, expires_at) VALUES (:issuer, :jti, :expires)")
                    .param("issuer", issuer).param("jti", jti).param("expires", Timestamp.from(expiresAt)).update();
            return true;
        } catch (DuplicateKeyException replay) {
            return false;
        }
    }
}
