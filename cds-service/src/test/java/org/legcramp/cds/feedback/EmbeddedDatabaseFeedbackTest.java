package org.legcramp.cds.feedback;

import org.springframework.boot.test.context.SpringBootTest;

/** The card ledger on the embedded database (H2), as the default run uses. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EmbeddedDatabaseFeedbackTest extends FeedbackLedgerContract {}
