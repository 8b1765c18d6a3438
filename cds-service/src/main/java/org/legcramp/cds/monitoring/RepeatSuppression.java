package org.legcramp.cds.monitoring;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.feedback.Feedback;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.hooks.HookRequest;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.rules.CdsService;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * No repeats from order-select to order-sign: a card shown on order-select for a draft order is
 * remembered for the window, keyed by HMAC-SHA256(secret, patient | order | rule), so that the same
 * rule's card for the same draft order is not shown again when it is signed. A critical card is shown
 * again unless the clinician overrode it with a reason. The keys are in the database, so whichever
 * instance takes the order-sign call knows; they hold no identifier in clear and expire.
 *
 * <p>The orders a card is about: those its delete suggestions name, or else the draft orders the
 * call is about (the selected ones on order-select). On order-sign a card is a repeat only when every
 * order it is about was shown the same rule's card: a card that may concern a new order is shown.
 */
@Component
public class RepeatSuppression {

    private static final int PURGE_EVERY = 200;
    private static final String HMAC = "HmacSHA256";

    private final JdbcClient jdbc;
    private final SecretKeySpec key;
    private final boolean enabled;
    private final Duration window;
    private final AtomicLong writes = new AtomicLong();

    public RepeatSuppression(JdbcClient jdbc, RepeatKeySecret secret, AlertProperties properties) {
        this.jdbc = jdbc;
        this.key = new SecretKeySpec(secret.bytes(), HMAC);
        this.enabled = properties.repeatSuppression().enabled();
        this.window = properties.repeatSuppression().window();
    }

    /** The cards of one service on this call that the clinician should see; on order-sign, repeats are left out. */
    public List<Card> withoutRepeats(CdsService service, HookRequest request, List<Card> cards, Instant now) {
        if (!enabled || request.hook() != Hook.ORDER_SIGN || cards.isEmpty()) {
            return cards;
        }
        List<Card> shown = new ArrayList<>();
        for (Card card : cards) {
            if (!isRepeat(service, request, card, now)) {
                shown.add(card);
            }
        }
        return shown;
    }

    /** Remembers the cards shown on order-select, so that order-sign does not show them again. */
    public void remember(CdsService service, HookRequest request, List<Card> shown, Instant now) {
        if (!enabled || request.hook() != Hook.ORDER_SELECT || shown.isEmpty()) {
            return;
        }
        if (writes.incrementAndGet() % PURGE_EVERY == 0) {
            purgeExpired(now);
        }
        Timestamp expires = Timestamp.from(now.plus(window));
        for (Card card : shown) {
            for (String order : ordersOf(card, request)) {
                String repeatKey = key(request.patientId(), order, service.ruleId());
                int updated = jdbc.sql("""
                        UPDATE shown_card SET card_uuid = :uuid, indicator = :indicator, overridden = FALSE, expires_at = :expires
                        WHERE repeat_key = :key""")
                        .param("uuid", card.uuid()).param("indicator", card.indicator()).param("expires", expires)
                        .param("key", repeatKey).update();
                if (updated == 0) {
                    try {
                        jdbc.sql("""
                                INSERT INTO shown_card (repeat_key, card_uuid, indicator, overridden, expires_at)
                                VALUES (:key, :uuid, :indicator, FALSE, :expires)""")
                                .param("key", repeatKey).param("uuid", card.uuid()).param("indicator", card.indicator())
                                .param("expires", expires).update();
                    } catch (DuplicateKeyException concurrentSelect) {
                        // another instance remembered the same order at the same moment: remembered either way
                    }
                }
            }
        }
    }

    /** Feedback overriding a card with a reason lets its critical repeat stay quiet on order-sign. */
    public void recordFeedback(List<Feedback> items) {
        if (!enabled) {
            return;
        }
        for (Feedback item : items) {
            if ("overridden".equals(item.outcome()) && (item.overrideReason() != null
                    || (item.overrideComment() != null && !item.overrideComment().isBlank()))) {
                jdbc.sql("UPDATE shown_card SET overridden = TRUE WHERE card_uuid = :uuid").param("uuid", item.cardUuid()).update();
            }
        }
    }

    /** Deletes the keys whose window has passed. */
    public int purgeExpired(Instant now) {
        return jdbc.sql("DELETE FROM shown_card WHERE expires_at < :now").param("now", Timestamp.from(now)).update();
    }

    private boolean isRepeat(CdsService service, HookRequest request, Card card, Instant now) {
        Set<String> orders = ordersOf(card, request);
        if (orders.isEmpty()) {
            return false;
        }
        boolean critical = "critical".equals(card.indicator());
        for (String order : orders) {
            var remembered = jdbc.sql("SELECT overridden FROM shown_card WHERE repeat_key = :key AND expires_at >= :now")
                    .param("key", key(request.patientId(), order, service.ruleId())).param("now", Timestamp.from(now))
                    .query(Boolean.class).optional();
            if (remembered.isEmpty() || (critical && !remembered.get())) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> ordersOf(Card card, HookRequest request) {
        Set<String> orders = new LinkedHashSet<>();
        if (card.suggestions() != null) {
            card.suggestions().stream().filter(suggestion -> suggestion.actions() != null)
                    .forEach(suggestion -> suggestion.actions().stream()
                    .filter(action -> "delete".equals(action.type()) && action.resourceId() != null)
                    .forEach(action -> orders.add(action.resourceId())));
        }
        if (orders.isEmpty()) {
            for (Resource order : request.ordersInScope()) {
                orders.add(order.fhirType() + "/" + order.getIdElement().getIdPart());
            }
        }
        return orders;
    }

    /** HMAC-SHA256 over patient, order and rule, as hex; the ids never leave this method. */
    String key(String patientId, String orderId, String ruleId) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            byte[] digest = mac.doFinal((patientId + "\u0000" + orderId + "\u0000" + ruleId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
