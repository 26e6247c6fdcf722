// R-MANUAL, R-EARLY, R-EXPIRED, R-NOT-RENEWABLE, R-SAME-SPEC, R-YEARS, R-CANCEL, R-HOSTING-LATER and
// the console states of spec section 7.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Product } from '../../../src/api/product.ts';
import { decideRenewal, type RenewalInput } from '../../../src/domain/renewal-decision.ts';
import { isHosted, projectChain, reconcileSuccessors, servicePeriodEnd, successorsNeeded } from '../../../src/domain/successor-plan.ts';
import { revisionState, type RevisionFacts } from '../../../src/domain/certificate-state.ts';
import { certificateStates } from '../../../src/api/states.ts';
import { defaultProfile } from '../../../src/domain/issuer-profile.ts';
import { days, formatInstant } from '../../../src/domain/time.ts';

const t = (s: string): number => Date.parse(s);
const dv: Product = { brand: 'DigiCert', type: 'DV', domainType: 'multi', grade: 'standard' };
const current = { notBefore: t('2024-10-01T00:00:00Z'), notAfter: t('2025-10-01T00:00:00Z') };
const base: RenewalInput = { profile: defaultProfile, product: dv, source: 'Issue', current, revoked: false, via: 'manual', now: t('2025-09-10T00:00:00Z') };

describe('renewal decisions', () => {
  const rows: [string, Partial<RenewalInput>, string][] = [
    ['R-MANUAL a manual renewal inside the window is submitted now', {}, 'now'],
    ['R-MANUAL a manual renewal outside the window is refused with OutsideRenewalWindow', { now: t('2025-08-15T00:00:00Z') }, 'OutsideRenewalWindow'],
    ['R-EARLY a renewal through hosting outside the window waits for the window', { via: 'hosting', now: t('2025-08-15T00:00:00Z') }, 'at-window'],
    ['R-EARLY a renewal through hosting inside the window is submitted now', { via: 'hosting' }, 'now'],
    ['R-EXPIRED an expired certificate is never renewed', { now: t('2025-10-01T00:00:00Z') }, 'Expired'],
    ['R-NOT-RENEWABLE a test certificate is not renewable', { product: { ...dv, grade: 'test' } }, 'NotRenewable'],
    ['R-NOT-RENEWABLE a mixed-domain certificate is not renewable', { product: { ...dv, domainType: 'mixed' } }, 'NotRenewable'],
    ['R-NOT-RENEWABLE an uploaded certificate is not renewable', { source: 'Upload' }, 'NotRenewable'],
    ['R-SAME-SPEC a renewal with another specification is refused', { requestedProduct: { ...dv, type: 'OV' } }, 'DifferentSpecification'],
    ['R-SAME-SPEC a renewal with the same specification is accepted', { requestedProduct: { ...dv } }, 'now'],
    ['R-MANUAL nothing issued yet cannot be renewed', { current: null }, 'NotIssued'],
    ['R-REFUND a revoked certificate cannot be renewed', { revoked: true }, 'Revoked'],
  ];
  for (const [name, change, expected] of rows) {
    it(name, () => {
      const d = decideRenewal({ ...base, ...change });
      assert.equal(d.ok ? d.submit : d.reason, expected);
      if (!d.ok) assert.ok(d.message.endsWith('.') && d.message.length > 20);
    });
  }
  it('R-MANUAL the refusal says when the window opens', () => {
    const d = decideRenewal({ ...base, now: t('2025-08-15T00:00:00Z') });
    assert.ok(!d.ok && d.message.includes('2025-09-01T00:00:00Z'));
  });
});

describe('successor planning', () => {
  it('R-YEARS a 3-year service period projects successors that each keep the expiry date', () => {
    const chain = projectChain(defaultProfile, current, 2);
    assert.deepEqual(chain.map((c) => [formatInstant(c.submitAt), formatInstant(c.notAfter)]), [
      ['2025-09-01T00:00:00Z', '2026-10-01T00:00:00Z'],
      ['2026-09-01T00:00:00Z', '2027-10-01T00:00:00Z'],
    ]);
    assert.equal(formatInstant(servicePeriodEnd(defaultProfile, current, 3)), '2027-10-01T00:00:00Z');
  });
  it('R-HOSTING-AT-APPLY hosted while the service period reaches past the current certificate', () => {
    assert.equal(isHosted(true, current, servicePeriodEnd(defaultProfile, current, 2)), true);
    assert.equal(isHosted(true, current, servicePeriodEnd(defaultProfile, current, 1)), false);
    assert.equal(isHosted(false, current, servicePeriodEnd(defaultProfile, current, 2)), false);
  });
  it('R-YEARS a 4-year period with 1 certificate issued needs 3 successors', () => {
    assert.equal(successorsNeeded(4, 1), 3);
    assert.equal(successorsNeeded(2, 3), 0);
  });
  it('R-YEARS missing successors are created with the next revisions', () => {
    assert.deepEqual(reconcileSuccessors(3, [{ revision: 2, state: 'Inactive' }], 1), { create: [3, 4], cancel: [], cannotCancel: [] });
  });
  it('R-CANCEL lowering the service period cancels the newest Inactive successors', () => {
    const q = [{ revision: 2, state: 'Inactive' as const }, { revision: 3, state: 'Inactive' as const }, { revision: 4, state: 'Inactive' as const }];
    assert.deepEqual(reconcileSuccessors(1, q, 1), { create: [], cancel: [4, 3], cannotCancel: [] });
  });
  it('R-CANCEL a submitted successor cannot be cancelled', () => {
    const q = [{ revision: 2, state: 'Submitted' as const }, { revision: 3, state: 'Inactive' as const }];
    assert.deepEqual(reconcileSuccessors(0, q, 1), { create: [], cancel: [3], cannotCancel: [2] });
  });
  it('R-HOSTING-LATER hosting an issued certificate later queues one successor at its window', () => {
    const c = reconcileSuccessors(successorsNeeded(2, 1), [], 1);
    assert.deepEqual(c.create, [2]);
    assert.equal(formatInstant(projectChain(defaultProfile, current, 1)[0]?.submitAt ?? 0), '2025-09-01T00:00:00Z');
  });
});

describe('spec section 7 states', () => {
  const issued = { notBefore: t('2025-01-01T00:00:00Z'), notAfter: t('2026-01-01T00:00:00Z') };
  const r = (f: Partial<RevisionFacts>): RevisionFacts => ({ source: 'Issue', revoked: false, queued: false, submitted: true, rejected: false, issued, ...f });
  const mid = t('2025-06-01T00:00:00Z');
  const late = t('2025-12-15T00:00:00Z');
  const cert = { hosted: false, autoDeploy: false };
  const rows: [string, RevisionFacts, typeof cert, number, string][] = [
    ['R-REFUND 1 revoked wins over everything', r({ revoked: true }), { hosted: true, autoDeploy: true }, mid, 'Revoked'],
    ['R-EXPIRED 2 issued and now >= notAfter is Expired', r({}), { hosted: true, autoDeploy: false }, issued.notAfter, 'Expired'],
    ['R-EARLY 3 a queued successor is Inactive', r({ issued: null, queued: true, submitted: false }), cert, mid, 'Inactive'],
    ['R-REVIEW 4 rejected is ReviewFailed', r({ issued: null, rejected: true }), cert, mid, 'ReviewFailed'],
    ['R-REVIEW 5 submitted is UnderReview', r({ issued: null }), cert, mid, 'UnderReview'],
    ['R-INSUFFICIENT 6 not submitted is PendingApplication', r({ issued: null, submitted: false }), cert, mid, 'PendingApplication'],
    ['R-AUTODEPLOY-PRE 7 hosted with auto-deploy is AutoDeploy', r({}), { hosted: true, autoDeploy: true }, late, 'AutoDeploy'],
    ['R-HOSTING-AT-APPLY 8 hosted is Hosted, also in the window', r({}), { hosted: true, autoDeploy: false }, late, 'Hosted'],
    ['R-NOT-RENEWABLE 9 uploaded outside the window is Uploaded', r({ source: 'Upload' }), cert, mid, 'Uploaded'],
    ['R-WINDOW 10 uploaded inside the window is ExpiringSoon', r({ source: 'Upload' }), cert, late, 'ExpiringSoon'],
    ['R-WINDOW 10 issued in the window is ExpiringSoon', r({}), cert, late, 'ExpiringSoon'],
    ['R-VALIDITY 11 issued is Issued', r({}), cert, mid, 'Issued'],
  ];
  for (const [name, rev, c, now, expected] of rows) it(name, () => assert.equal(revisionState(rev, c, defaultProfile, now), expected));

  it('every input has exactly one of the 11 states (property)', () => {
    fc.assert(fc.property(
      fc.record({ source: fc.constantFrom('Issue', 'Upload') as fc.Arbitrary<'Issue' | 'Upload'>, revoked: fc.boolean(), queued: fc.boolean(), submitted: fc.boolean(), rejected: fc.boolean(), issuedNow: fc.boolean() }),
      fc.boolean(), fc.boolean(), fc.integer({ min: -400, max: 400 }),
      (f, hosted, autoDeploy, offsetDays) => {
        const rev: RevisionFacts = { source: f.source, revoked: f.revoked, queued: f.queued, submitted: f.submitted, rejected: f.rejected, issued: f.issuedNow ? issued : null };
        const s = revisionState(rev, { hosted, autoDeploy }, defaultProfile, issued.notAfter + days(offsetDays));
        return (certificateStates as readonly string[]).filter((x) => x === s).length === 1;
      },
    ));
  });
});
