package org.legcramp.cds.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pattern-change check flags a sharp move of a rule's firing rate against its baseline, and not noise. */
class PatternChangeTest {

    private final PatternChange check = PatternChange.DEFAULT;

    /** Calls on which a rule with this firing probability fires, out of {@code calls} (a synthetic series). */
    private static long fired(Random random, int calls, double probability) {
        long fired = 0;
        for (int i = 0; i < calls; i++) {
            if (random.nextDouble() < probability) {
                fired++;
            }
        }
        return fired;
    }

    @Test
    void aRuleThatStartsFiringTwiceAsOftenIsFlagged() {
        Random random = new Random(14);
        long baseline = fired(random, 4000, 0.06);
        long recent = fired(random, 1000, 0.12);

        var result = check.test(4000, baseline, 1000, recent);

        assertThat(result.changed()).isTrue();
        assertThat(result.direction()).isEqualTo("up");
        assertThat(result.z()).isGreaterThan(3.29);
    }

    @Test
    void aRuleThatStopsFiringIsFlagged() {
        var result = check.test(4000, 240, 1000, 0);

        assertThat(result.changed()).isTrue();
        assertThat(result.direction()).isEqualTo("down");
    }

    @Test
    void noiseAroundAnUnchangedRateIsNotFlagged() {
        Random random = new Random(2018);
        int flagged = 0;
        for (int week = 0; week < 200; week++) {
            double rate = 0.02 + 0.01 * (week % 10); // rules of many rates, each unchanged
            long baseline = fired(random, 4000, rate);
            long recent = fired(random, 1000, rate);
            if (check.test(4000, baseline, 1000, recent).changed()) {
                flagged++;
            }
        }
        assertThat(flagged).isZero();
    }

    @Test
    void aModestDriftWithinNoiseIsNotFlagged() {
        assertThat(check.test(4000, 240, 1000, 70).changed()).isFalse(); // 6% -> 7%
    }

    @Test
    void tooFewCallsAreNotJudged() {
        var result = check.test(50, 0, 40, 40);

        assertThat(result.changed()).isFalse();
        assertThat(result.z()).isNull();
    }

    @Test
    void aRuleThatNeverFiresIsNotFlagged() {
        assertThat(check.test(4000, 0, 1000, 0).changed()).isFalse();
    }
}
