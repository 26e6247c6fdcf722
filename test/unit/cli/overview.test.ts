// `kubectl certhost overview`: states, credits and what expires soon, from constructed objects.
import assert from 'node:assert/strict';
import { computeOverview, renderOverview } from '../../../src/cli/overview.ts';
import { certificate, entries, hosted, hostingPackage, issued, ovMulti, t } from './objects.ts';

const now = t('2025-12-10T00:00:00Z');

describe('kubectl certhost overview', () => {
  const shop = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
  const blog = certificate('blog', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { state: 'ExpiringSoon' }) });
  const later = certificate('later', { status: issued('2025-03-01T00:00:00Z', '2026-03-01T00:00:00Z') });
  const revoked = certificate('gone', { status: issued('2025-01-01T00:00:00Z', '2025-12-20T00:00:00Z', { state: 'Revoked', revokedAt: '2025-02-01T00:00:00Z' }) });
  const expired = certificate('old', { status: issued('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', { state: 'Expired' }) });
  const fresh = certificate('fresh');

  it('spec section 7: counts every state; queued successors count as Inactive; unreconciled ones apart', () => {
    const o = computeOverview([shop, blog, later, revoked, expired, fresh], [], now);
    assert.deepEqual(o.states, {
      PendingApplication: 0, UnderReview: 0, ReviewFailed: 0, Issued: 1, ExpiringSoon: 1, Expired: 1, Revoked: 1,
      Hosted: 1, Inactive: 1, AutoDeploy: 0, Uploaded: 0,
    });
    assert.equal(o.unreconciled, 1);
    assert.equal(o.certificates, 6);
    assert.equal(o.queuedSuccessors, 1);
  });

  it('R-WINDOW lists what expires in the next 30 days, soonest first, with days left and hosted', () => {
    const o = computeOverview([later, shop, blog, revoked, expired, fresh], [], now);
    assert.deepEqual(o.expiring.map((e) => [e.name, e.notAfter, e.daysLeft, e.hosted]), [
      ['blog', '2026-01-01T00:00:00Z', 22, false],
      ['shop', '2026-01-01T00:00:00Z', 22, true],
    ]);
  });

  it('R-CONSUME credits per package from its ledger: total, used, reserved, available, and totals by type', () => {
    const packages = [
      hostingPackage('hosting', 'Hosting', 3, { ledger: entries(1, 'reserved', 'hosting') }),
      hostingPackage('dv', 'Certificate', 5, { ledger: [...entries(2, 'consumed'), ...entries(1, 'reserved'), ...entries(1, 'released')] }),
      hostingPackage('dv-2', 'Certificate', 2),
      hostingPackage('ov', 'Certificate', 1, { product: ovMulti }),
    ];
    const o = computeOverview([], packages, now);
    assert.deepEqual(o.credits.map((c) => [c.name, c.type, c.product ?? '-', c.total, c.used, c.reserved, c.available]), [
      ['dv', 'Certificate', 'DigiCert/DV/single/standard', 5, 2, 1, 2],
      ['dv-2', 'Certificate', 'DigiCert/DV/single/standard', 2, 0, 0, 2],
      ['ov', 'Certificate', 'DigiCert/OV/multi/standard', 1, 0, 0, 1],
      ['hosting', 'Hosting', '-', 3, 0, 1, 2],
    ]);
    assert.deepEqual(o.totals.map((c) => [c.type, c.product ?? '-', c.total, c.used, c.reserved, c.available]), [
      ['Certificate', 'DigiCert/DV/single/standard', 7, 2, 1, 4],
      ['Certificate', 'DigiCert/OV/multi/standard', 1, 0, 0, 1],
      ['Hosting', '-', 3, 0, 1, 2],
    ]);
  });

  it('spec.expires: an expired package has nothing available, whatever its status says', () => {
    const o = computeOverview([], [hostingPackage('old', 'Certificate', 5, { expires: '2025-06-30T00:00:00Z' })], now);
    assert.equal(o.credits[0]?.available, 0);
  });

  it('renders the three sections as tables', () => {
    const text = renderOverview(computeOverview([shop, blog], [hostingPackage('dv', 'Certificate', 5)], now));
    assert.match(text, /^Certificates: 2 and 1 queued successor, as of 2025-12-10T00:00:00Z$/m);
    assert.match(text, /^ {2}Hosted\s+已托管\s+1$/m);
    assert.match(text, /^ {2}Inactive\s+未激活\s+1$/m);
    assert.match(text, /^ {2}shop\s+dv\s+Certificate\s+DigiCert\/DV\/single\/standard\s+5\s+0\s+0\s+5\s+-$/m);
    assert.match(text, /^ {2}shop\s+shop\s+Hosted\s+2026-01-01T00:00:00Z\s+22\s+yes$/m);
    assert.match(renderOverview(computeOverview([], [], now)), /No HostingPackages\.[\s\S]*None\./);
  });
});
