package org.legcramp.cds;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Cheap insurance against Spring Boot's Kotlin 1.9 management creeping back (shared/STACK.md, trap 1). */
class DependencyTest {

    @Test
    void kotlinStdlibIsVersion2OrLaterAsTheCqlEngineNeeds() {
        assertThat(kotlin.KotlinVersion.CURRENT.getMajor()).isGreaterThanOrEqualTo(2);
    }
}
