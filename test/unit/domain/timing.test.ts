// R-VALIDITY, R-WINDOW, R-CARRY, R-CAP, R-PROFILE and the worked examples of spec section 2.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultProfile, maxValidityAt, windowLength, type IssuerProfile } from '../../../src/domain/issuer-profile.ts';
import { capCanBeLifted, capToIssuer, carryOver, inRenewalWindow, planValidity, windowOpensAt } from '../../../src/domain/validity.ts';
import { decideRenewal } from '../../../src/domain/renewal-decision.ts';
import { DAY, days, formatInstant } from '../../../src/domain/time.ts';
import type { Product } from '../../../src/api/product.ts';

const t = (s: string): number => Date.parse(s);
const dv: Product = { brand: 'DigiCert', type: 'DV', domainType: 'single', grade: 'standard' };
const cab: IssuerProfile = { ...defaultProfile, cabSchedule: true };

describe('spec section 2 worked examples', () => {
  const pred = { notBefore: t('2024-10-01T00:00:00Z'), notAfter: t('2025-10-01T00:00:00Z') };

  it('R-CARRY in window: renewed and issued 2025-09-10 carries 21 d, 386 d, notAfter 2026-10-01', () => {
    const v = planValidity({ profile: defaultProfile, notBefore: t('2025-09-10T00:00:00Z'), predecessorNotAfter: pred.notAfter });
    assert.equal(v.carry, days(21));
    assert.equal(v.validity, days(386));
    assert.equal(formatInstant(v.notAfter), '2026-10-01T00:00:00Z');
  });

  it('R-EARLY early renewal: requested 2025-08-15 waits until 2025-09-01 00:00, then 395 d to 2026-10-01', () => {
    const d = decideRenewal({ profile: defaultProfile, product: dv, source: 'Issue', current: pred, revoked: false, via: 'hosting', now: t('2025-08-15T00:00:00Z') });
    assert.ok(d.ok && d.submit === 'at-window');
    assert.equal(formatInstant(d.submitAt), '2025-09-01T00:00:00Z');
    const v = planValidity({ profile: defaultProfile, notBefore: d.submitAt, predecessorNotAfter: d.predecessorNotAfter });
    assert.equal(v.carry, days(30));
    assert.equal(v.validity, days(395));
    assert.equal(formatInstant(v.notAfter), '2026-10-01T00:00:00Z');
  });

  it('R-CARRY direct purchase: issued 2025-08-15 carries nothing, 365 d to 2026-08-15', () => {
    const v = planValidity({ profile: defaultProfile, notBefore: t('2025-08-15T00:00:00Z') });
    assert.equal(v.carry, 0);
    assert.equal(v.validity, days(365));
    assert.equal(formatInstant(v.notAfter), '2026-08-15T00:00:00Z');
  });

  it('R-CARRY hosted, in window: expires 2022-06-01, auto-renewed 2022-05-25 gives notAfter 2023-06-01', () => {
    const v = planValidity({ profile: defaultProfile, notBefore: t('2022-05-25T00:00:00Z'), predecessorNotAfter: t('2022-06-01T00:00:00Z') });
    assert.equal(formatInstant(v.notAfter), '2023-06-01T00:00:00Z');
  });

  it('R-EXPIRED expired: expired 2025-10-01, renewal requested 2025-10-02 is rejected with reason Expired', () => {
    for (const via of ['manual', 'hosting'] as const) {
      const d = decideRenewal({ profile: defaultProfile, product: dv, source: 'Issue', current: pred, revoked: false, via, now: t('2025-10-02T00:00:00Z') });
      assert.equal(d.ok, false);
      assert.ok(!d.ok && d.reason === 'Expired');
    }
  });
});

describe('R-WINDOW renewal window', () => {
  const cert = { notBefore: t('2025-01-01T00:00:00Z'), notAfter: t('2026-01-01T00:00:00Z') };
  const rows: [string, string, boolean][] = [
    ['R-WINDOW 31 days left: outside', '2025-12-01T00:00:00Z', false],
    ['R-WINDOW exactly 30 days left: inside (notAfter - now <= 30d)', '2025-12-02T00:00:00Z', true],
    ['R-WINDOW one second before the window: outside', '2025-12-01T23:59:59Z', false],
    ['R-WINDOW last second of validity: inside', '2025-12-31T23:59:59Z', true],
    ['R-WINDOW at notAfter: expired, not in the window', '2026-01-01T00:00:00Z', false],
  ];
  for (const [name, now, expected] of rows) it(name, () => assert.equal(inRenewalWindow(defaultProfile, cert, t(now)), expected));
});

describe('R-CARRY carry-over table', () => {
  const pna = t('2025-10-01T00:00:00Z');
  const rows: [string, string, number][] = [
    ['R-CARRY 46 days left is capped at 30 d', '2025-08-16T00:00:00Z', days(30)],
    ['R-CARRY 10 days left carries 10 d', '2025-09-21T00:00:00Z', days(10)],
    ['R-CARRY predecessor already expired carries 0', '2025-10-05T00:00:00Z', 0],
    ['R-CARRY to the second: 1 s left carries 1 s', '2025-09-30T23:59:59Z', 1000],
  ];
  for (const [name, nb, expected] of rows) it(name, () => assert.equal(carryOver(defaultProfile, t(nb), pna), expected));
});

describe('R-CAP issuer caps the leaf', () => {
  it('R-CAP notAfter beyond the intermediate is cut and the loss reported', () => {
    const c = capToIssuer(t('2026-10-01T00:00:00Z'), t('2026-09-01T00:00:00Z'));
    assert.equal(formatInstant(c.notAfter), '2026-09-01T00:00:00Z');
    assert.equal(c.truncated, days(30));
  });
  it('R-CAP a covering intermediate changes nothing', () => {
    assert.deepEqual(capToIssuer(t('2026-10-01T00:00:00Z'), t('2027-01-01T00:00:00Z')), { notAfter: t('2026-10-01T00:00:00Z'), truncated: 0 });
  });
  it('R-CAP re-issue only once an intermediate covers the original target', () => {
    assert.equal(capCanBeLifted(t('2026-10-01T00:00:00Z'), t('2026-09-30T00:00:00Z')), false);
    assert.equal(capCanBeLifted(t('2026-10-01T00:00:00Z'), t('2026-10-01T00:00:00Z')), true);
  });
});

describe('R-PROFILE CA/B schedule', () => {
  const rows: [string, string, number][] = [
    ['R-PROFILE before 2026-03-15 the maximum stays 397 d', '2026-03-14T23:59:59Z', days(397)],
    ['R-PROFILE from 2026-03-15 the maximum is 200 d', '2026-03-15T00:00:00Z', days(200)],
    ['R-PROFILE from 2027-03-15 the maximum is 100 d', '2027-03-15T00:00:00Z', days(100)],
    ['R-PROFILE from 2029-03-15 the maximum is 47 d', '2029-03-15T00:00:00Z', days(47)],
  ];
  for (const [name, at, max] of rows) it(name, () => assert.equal(maxValidityAt(cab, t(at)), max));

  it('R-PROFILE under the schedule the window is min(30 d, validity / 3)', () => {
    assert.equal(windowLength(cab, days(47)), Math.floor(days(47) / 3 / 1000) * 1000);
    assert.equal(windowLength(cab, days(200)), days(30));
    assert.equal(windowLength(defaultProfile, days(47)), days(30));
  });

  it('R-PROFILE a 100-day certificate renewed in window carries only what stays within the maximum', () => {
    const profile: IssuerProfile = { ...cab, baseValidity: days(90) };
    const nb = t('2027-06-01T00:00:00Z');
    const v = planValidity({ profile, notBefore: nb, predecessorNotAfter: nb + days(25) });
    assert.equal(v.validity, days(100));
    assert.equal(v.carry, days(10));
    assert.equal(windowOpensAt(profile, v), v.notAfter - days(30)); // 100 d / 3 > 30 d
  });

  it('R-PROFILE the default profile default values are 365 d, 397 d, 30 d', () => {
    assert.deepEqual([defaultProfile.baseValidity, defaultProfile.maxValidity, defaultProfile.window], [days(365), days(397), days(30)]);
  });
});

describe('timing invariants (property tests)', () => {
  const instant = fc.integer({ min: t('2020-01-01T00:00:00Z') / 1000, max: t('2035-01-01T00:00:00Z') / 1000 }).map((s) => s * 1000);
  const offset = fc.integer({ min: -400 * 86400, max: 800 * 86400 }).map((s) => s * 1000);
  const profile = fc.constantFrom(defaultProfile, cab, { ...cab, baseValidity: days(90) }, { ...defaultProfile, baseValidity: days(380) });

  it('R-CARRY carry is always within [0, 30 d]', () => {
    fc.assert(fc.property(profile, instant, offset, (p, nb, off) => {
      const c = carryOver(p, nb, nb + off);
      return c >= 0 && c <= days(30);
    }));
  });

  it('R-VALIDITY validity never exceeds the profile maximum', () => {
    fc.assert(fc.property(profile, instant, fc.option(offset, { nil: undefined }), (p, nb, off) => {
      const v = planValidity(off === undefined ? { profile: p, notBefore: nb } : { profile: p, notBefore: nb, predecessorNotAfter: nb + off });
      return v.validity <= maxValidityAt(p, nb) && v.notAfter - v.notBefore === v.validity;
    }));
  });

  it('R-CARRY a renewal issued inside the window expires exactly 365 d after its predecessor (default profile)', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 1, max: 30 * 86400 }), (predNotAfter, leftS) => {
      const v = planValidity({ profile: defaultProfile, notBefore: predNotAfter - leftS * 1000, predecessorNotAfter: predNotAfter });
      return v.notAfter === predNotAfter + 365 * DAY;
    }));
  });
});
