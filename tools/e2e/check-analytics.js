// Reads GET /analytics/cards (saved by ../../e2e) and checks that the service recorded what the
// sandbox did: cards issued on patient-view and on order-select, the feedback of the suggestion taken
// on the quinine card and of the baclofen card dismissed with a reason. Prints PASS/FAIL per check; exit 1 on a FAIL.
// Usage: node check-analytics.js <analytics.json>
'use strict';
const analytics = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const cards = analytics.rules.flatMap((rule) => rule.cards);
let failed = false;
const check = (ok, what, detail) => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}: ${detail}`);
  if (!ok) failed = true;
};
const fired = (hook) => cards.filter((c) => c.service.endsWith(`-${hook}`))
  .map((c) => `${c.service}=${c.fired}`);
const count = (hook) => cards.filter((c) => c.service.endsWith(`-${hook}`)).reduce((n, c) => n + c.fired, 0);
check(count('patient-view') > 0, 'patient-view cards recorded by the service', fired('patient-view').join(' ') || 'none');
check(count('order-select') > 0, 'order-select cards recorded by the service', fired('order-select').join(' ') || 'none');
const quinine = cards.filter((c) => c.rule === 'quinine-for-cramps' && c.service.endsWith('-order-select'));
const accepted = quinine.reduce((n, c) => n + c.accepted, 0);
check(accepted > 0, 'feedback posted by the sandbox recorded (accepted, GET /analytics/cards)',
  `quinine-for-cramps on order-select accepted=${accepted}, feedback for unknown cards=${analytics.feedbackForUnknownCards}`);
const baclofen = cards.filter((c) => c.rule === 'liver-disease-cramps-baclofen' && c.service.endsWith('-patient-view'));
const overridden = baclofen.reduce((n, c) => n + c.overridden, 0);
const reasons = baclofen.flatMap((c) => c.overrideReasons).filter((r) => r.code);
check(overridden > 0 && reasons.length > 0, 'override with a reason posted by the sandbox recorded',
  `liver-disease-cramps-baclofen on patient-view overridden=${overridden}, reasons=${reasons.map((r) => r.code).join(',') || 'none'}`);
check(analytics.feedbackForUnknownCards === 0, 'all feedback is for cards the service issued',
  `feedbackForUnknownCards=${analytics.feedbackForUnknownCards}`);
process.exit(failed ? 1 : 0);
