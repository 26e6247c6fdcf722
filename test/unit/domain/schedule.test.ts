// R-REVIEW, R-NOTIFY and the next-transition instant.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { reviewStep } from '../../../src/domain/review-schedule.ts';
import { reminderDecision } from '../../../src/domain/reminders.ts';
import { certificateNextTransition, nextTransition } from '../../../src/domain/next-transition.ts';
import { defaultProfile } from '../../../src/domain/issuer-profile.ts';
import { DAY, HOUR, MINUTE, days, formatInstant } from '../../../src/domain/time.ts';

const t = (s: string): number => Date.parse(s);
const sub = t('2025-09-01T00:00:00Z');

describe('R-REVIEW polling schedule', () => {
  const rows: [string, number, number | 'timed-out'][] = [
    ['R-REVIEW right after submission the next check is at +10 min', 0, 10 * MINUTE],
    ['R-REVIEW at +25 min the next check is at +30 min', 25 * MINUTE, 30 * MINUTE],
    ['R-REVIEW at +50 min the next check is at +60 min', 50 * MINUTE, 60 * MINUTE],
    ['R-REVIEW after the first hour checks are hourly: +60 min → +2 h', 60 * MINUTE, 2 * HOUR],
    ['R-REVIEW at +5 h 30 min the next check is at +6 h', 5 * HOUR + 30 * MINUTE, 6 * HOUR],
    ['R-REVIEW the last check is at the 7-day timeout', 7 * DAY - 10 * MINUTE, 7 * DAY],
    ['R-REVIEW at 7 days the application has timed out', 7 * DAY, 'timed-out'],
  ];
  for (const [name, elapsed, expected] of rows) {
    it(name, () => {
      const s = reviewStep(sub, sub + elapsed);
      if (expected === 'timed-out') assert.equal(s.kind, 'timed-out');
      else assert.deepEqual(s, { kind: 'check', nextCheckAt: sub + expected });
    });
  }
  it('R-REVIEW a configured timeout is honoured', () => {
    assert.equal(reviewStep(sub, sub + 2 * HOUR, 2 * HOUR).kind, 'timed-out');
  });
  it('R-REVIEW the next check is always in the future and on the 10-minute grid (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 7 * 86400 - 1 }), (s) => {
      const step = reviewStep(sub, sub + s * 1000);
      return step.kind === 'check' && step.nextCheckAt > sub + s * 1000 && (step.nextCheckAt - sub) % (10 * MINUTE) === 0;
    }));
  });
});

describe('R-NOTIFY reminders', () => {
  const notAfter = t('2026-10-01T00:00:00Z');
  it('R-NOTIFY nothing is due 31 days before, and the next reminder is at 30 days', () => {
    const d = reminderDecision({ notAfter, now: notAfter - days(31), settled: [], successorIssued: false });
    assert.deepEqual(d, { kind: 'none', nextAt: notAfter - days(30) });
  });
  it('R-NOTIFY the 30-day reminder is sent at 30 days, then the next is at 15', () => {
    const d = reminderDecision({ notAfter, now: notAfter - days(30), settled: [], successorIssued: false });
    assert.deepEqual(d, { kind: 'send', daysBefore: 30, settle: [30], nextAt: notAfter - days(15) });
  });
  it('R-NOTIFY once sent a threshold is not sent again', () => {
    const d = reminderDecision({ notAfter, now: notAfter - days(20), settled: [30], successorIssued: false });
    assert.equal(d.kind, 'none');
  });
  it('R-NOTIFY several thresholds passed at once send only the nearest and settle the others', () => {
    const d = reminderDecision({ notAfter, now: notAfter - days(5), settled: [], successorIssued: false });
    assert.deepEqual(d, { kind: 'send', daysBefore: 7, settle: [30, 15, 7], nextAt: null });
  });
  it('R-NOTIFY no reminder once a successor has been issued', () => {
    assert.equal(reminderDecision({ notAfter, now: notAfter - days(10), settled: [], successorIssued: true }).kind, 'none');
  });
  it('R-NOTIFY no reminder after expiry', () => {
    assert.equal(reminderDecision({ notAfter, now: notAfter + 1, settled: [], successorIssued: false }).kind, 'none');
  });
  it('R-NOTIFY custom daysBefore are honoured', () => {
    const d = reminderDecision({ notAfter, now: notAfter - days(3), settled: [], successorIssued: false, daysBefore: [3] });
    assert.ok(d.kind === 'send' && d.daysBefore === 3);
  });
  it('R-NOTIFY walking the clock day by day sends each threshold exactly once (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 * 24 }), { minLength: 1, maxLength: 30 }), (stepsH) => {
      let now = notAfter - days(40);
      const settled: number[] = [];
      const sent: number[] = [];
      for (const h of stepsH) {
        now += h * HOUR;
        const d = reminderDecision({ notAfter, now, settled, successorIssued: false });
        if (d.kind === 'send') { sent.push(d.daysBefore); settled.push(...d.settle); }
      }
      return new Set(sent).size === sent.length && sent.every((x, i) => i === 0 || x < (sent[i - 1] ?? Infinity));
    }));
  });
});

describe('next transition', () => {
  const current = { notBefore: t('2025-10-01T00:00:00Z'), notAfter: t('2026-10-01T00:00:00Z') };
  it('R-WINDOW an issued certificate next changes when its window opens', () => {
    const n = certificateNextTransition({ profile: defaultProfile, current, successorSubmitAt: [], reminderAt: null, reviewCheckAt: null }, t('2026-01-01T00:00:00Z'));
    assert.equal(n?.reason, 'WindowOpens');
    assert.equal(formatInstant(n?.at ?? 0), '2026-09-01T00:00:00Z');
  });
  it('R-EXPIRED inside the window the next change is the reminder, then expiry', () => {
    const now = t('2026-09-20T00:00:00Z');
    const n = certificateNextTransition({ profile: defaultProfile, current, successorSubmitAt: [], reminderAt: current.notAfter - days(7), reviewCheckAt: null }, now);
    assert.equal(n?.reason, 'ReminderDue');
    const m = certificateNextTransition({ profile: defaultProfile, current, successorSubmitAt: [], reminderAt: null, reviewCheckAt: null }, now);
    assert.equal(m?.reason, 'Expiry');
  });
  it('R-REVIEW a review check before anything else comes first', () => {
    const now = t('2026-01-01T00:00:00Z');
    const n = certificateNextTransition({ profile: defaultProfile, current, successorSubmitAt: [t('2026-09-01T00:00:00Z')], reminderAt: null, reviewCheckAt: now + 10 * MINUTE }, now);
    assert.equal(n?.reason, 'ReviewCheck');
  });
  it('R-EXPIRED nothing is scheduled after expiry', () => {
    assert.equal(certificateNextTransition({ profile: defaultProfile, current, successorSubmitAt: [], reminderAt: null, reviewCheckAt: null }, current.notAfter), null);
  });
  it('instants at or before now are ignored', () => {
    assert.equal(nextTransition([{ at: 5, reason: 'Expiry' }, null, undefined], 5), null);
  });
});
