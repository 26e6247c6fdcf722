// R-PROFILE under the CA/Browser Forum schedule: a year of hosted service delivered as several
// consecutive certificates of one revision, at no extra credit, keeping the renewal chain's date.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Product } from '../../../src/api/product.ts';
import type { BrandRules } from '../../../src/domain/brand-rules.ts';
import { type CertificateObservation, type CurrentRecord, issuanceValidity, planCertificate } from '../../../src/domain/certificate-plan.ts';
import { defaultProfile, maxValidityAt, type IssuerProfile } from '../../../src/domain/issuer-profile.ts';
import { lastOfYear, projectChain, servicePeriodEnd } from '../../../src/domain/successor-plan.ts';
import { DAY, days, formatInstant } from '../../../src/domain/time.ts';
import { planServiceYear, planValidity, rolloversOfYear, windowOpensAt } from '../../../src/domain/validity.ts';

const t = (s: string): number => Date.parse(s);
const f = formatInstant;
const cab: IssuerProfile = { ...defaultProfile, cabSchedule: true };
const dv: Product = { brand: 'DigiCert', type: 'DV', domainType: 'multi', grade: 'standard' };

describe('R-PROFILE a hosted service year in parts (CA/B schedule)', () => {
  it('R-PROFILE a year bought 2027-04-01 (100-day maximum) is five certificates ending 2028-03-31', () => {
    const y = planServiceYear({ profile: cab, notBefore: t('2027-04-01T00:00:00Z') });
    assert.deepEqual([f(y.notAfter), f(y.yearEnd), y.carry], ['2027-07-10T00:00:00Z', '2028-03-31T00:00:00Z', 0]);
    const rest = rolloversOfYear(cab, y, y.yearEnd).map((c) => [f(c.notBefore), f(c.notAfter)]);
    assert.deepEqual(rest, [
      ['2027-06-10T00:00:00Z', '2027-09-18T00:00:00Z'], // each when the one before has 30 days left
      ['2027-08-19T00:00:00Z', '2027-11-27T00:00:00Z'],
      ['2027-10-28T00:00:00Z', '2028-02-05T00:00:00Z'],
      ['2028-01-06T00:00:00Z', '2028-03-31T00:00:00Z'], // the last one ends with the year
    ]);
  });

  it('R-PROFILE R-CARRY the next service year keeps the chain\'s date: 2028-03-31, 2029-03-31, 2030-03-31', () => {
    const y = planServiceYear({ profile: cab, notBefore: t('2027-04-01T00:00:00Z') });
    const chain = projectChain(cab, { notBefore: y.notBefore, notAfter: y.notAfter, serviceYearEnd: y.yearEnd }, 2);
    // Submitted when the window of the year's last certificate (85 d, window 85/3 d) opens.
    assert.deepEqual(chain.map((c) => [f(c.submitAt), f(c.notAfter)]), [
      ['2028-03-02T16:00:00Z', '2029-03-31T00:00:00Z'],
      ['2029-03-16T13:20:00Z', '2030-03-31T00:00:00Z'],
    ]);
    assert.equal(f(servicePeriodEnd(cab, { notBefore: y.notBefore, notAfter: y.notAfter, serviceYearEnd: y.yearEnd }, 3)), '2030-03-31T00:00:00Z');
  });

  it('R-PROFILE before 2026-03-15 (397-day maximum) a year is one certificate, as with the default profile', () => {
    const nb = t('2025-09-10T00:00:00Z');
    const pred = t('2025-10-01T00:00:00Z');
    const y = planServiceYear({ profile: cab, notBefore: nb, predecessorNotAfter: pred });
    const d = planValidity({ profile: defaultProfile, notBefore: nb, predecessorNotAfter: pred });
    assert.deepEqual([y.notAfter, y.yearEnd, y.carry], [d.notAfter, d.notAfter, d.carry]);
    assert.equal(f(y.notAfter), '2026-10-01T00:00:00Z');
  });

  it('R-PROFILE without the schedule a year is exactly planValidity', () => {
    const nb = t('2028-01-01T00:00:00Z');
    const y = planServiceYear({ profile: defaultProfile, notBefore: nb });
    assert.deepEqual([y.notAfter, y.yearEnd], [nb + days(365), nb + days(365)]);
  });

  it('R-PROFILE invariants: every certificate of a year is within the maximum, they overlap, and the last ends with the year', () => {
    const instant = fc.integer({ min: t('2025-01-01T00:00:00Z') / 1000, max: t('2031-01-01T00:00:00Z') / 1000 }).map((s) => s * 1000);
    fc.assert(fc.property(instant, fc.integer({ min: 0, max: 40 * 86400 }), (nb, left) => {
      const y = planServiceYear({ profile: cab, notBefore: nb, predecessorNotAfter: nb + left * 1000 });
      const certs = [y, ...rolloversOfYear(cab, y, y.yearEnd)];
      const last = certs[certs.length - 1];
      return y.yearEnd - nb <= days(395) && y.yearEnd - nb >= days(365) && last?.notAfter === y.yearEnd &&
        certs.every((c, i) => c.notAfter - c.notBefore <= maxValidityAt(cab, c.notBefore) && (i === 0 || (c.notBefore < (certs[i - 1]?.notAfter ?? 0) && c.notBefore === windowOpensAt(cab, certs[i - 1] ?? c))));
    }));
  });

  it('R-PROFILE the year\'s last certificate is found from any certificate of it', () => {
    const y = planServiceYear({ profile: cab, notBefore: t('2027-04-01T00:00:00Z') });
    assert.equal(f(lastOfYear(cab, y, y.yearEnd).notBefore), '2028-01-06T00:00:00Z');
  });
});

describe('R-PROFILE the planner rolls a service year over', () => {
  const rules: BrandRules = { profile: cab, validation: 'none', creditsRequired: true, reviewTimeout: 7 * DAY };
  const current: CurrentRecord = {
    revision: 1, serialNumber: 'aa', notBefore: t('2027-04-01T00:00:00Z'), notAfter: t('2027-07-10T00:00:00Z'), issuedAt: t('2027-04-01T00:00:00Z'),
    serviceYearEnd: t('2028-03-31T00:00:00Z'),
  };
  const obs = (now: string, over: Partial<CertificateObservation['status']> = {}): CertificateObservation => ({
    now: t(now), uid: 'u1', name: 'shop', generation: 1,
    spec: { domains: ['shop.example.com', 'www.shop.example.com'], product: dv, method: 'DNS', hostingEnabled: true, servicePeriodYears: 2, revoke: false },
    rules,
    status: { current, successors: [{ revision: 2 }], servicePeriodFirstRevision: 1, revoked: false, ...over },
    secret: { state: 'ours', revision: 1, serial: 'aa', usable: true },
    freeSlot: true, bestIssuerNotAfter: null,
  });

  it('R-PROFILE before the certificate\'s window nothing happens', () => {
    assert.equal(planCertificate(obs('2027-06-09T23:59:59Z')).kind, 'settle');
  });

  it('R-PROFILE when the window opens the next certificate of the same revision is issued, without credits or a successor', () => {
    const step = planCertificate(obs('2027-06-10T00:00:00Z'));
    assert.deepEqual(step, { kind: 'issue', revision: 1, notBefore: t('2027-06-10T00:00:00Z'), targetNotAfter: current.serviceYearEnd, serviceYearEnd: current.serviceYearEnd, purpose: 'Rollover' });
    if (step.kind !== 'issue') return;
    const v = issuanceValidity(cab, step);
    assert.deepEqual([f(v.notAfter), v.serviceYearEnd === undefined ? null : f(v.serviceYearEnd), v.carry], ['2027-09-18T00:00:00Z', '2028-03-31T00:00:00Z', null]);
  });

  it('R-PROFILE the queued successor (the next year) waits for the year\'s last certificate', () => {
    const last: CurrentRecord = { ...current, notBefore: t('2028-01-06T00:00:00Z'), notAfter: t('2028-03-31T00:00:00Z') };
    delete last.serviceYearEnd;
    const early = obs('2028-03-02T15:59:59Z', { current: last });
    assert.equal(planCertificate({ ...early, secret: { state: 'ours', revision: 1, serial: 'aa', usable: true } }).kind, 'settle');
    const due = planCertificate({ ...early, now: t('2028-03-02T16:00:00Z') });
    assert.equal(due.kind, 'apply');
    if (due.kind === 'apply') {
      assert.equal(due.application.revision, 2);
      assert.equal(f(due.application.predecessorNotAfter ?? 0), '2028-03-31T00:00:00Z');
    }
  });

  it('R-PROFILE a certificate that ran out mid-year (operator down) is followed at once, up to the year\'s end', () => {
    const step = planCertificate(obs('2027-08-01T00:00:00Z'));
    assert.equal(step.kind, 'issue');
    if (step.kind === 'issue') assert.equal(f(issuanceValidity(cab, step).notAfter), '2027-11-09T00:00:00Z');
  });

  it('R-PROFILE a new hosted application plans its first certificate and the year; an unhosted one gets one certificate', () => {
    const none = { ...obs('2027-04-01T00:00:00Z'), status: { successors: [], revoked: false }, secret: { state: 'missing' as const } };
    const apply = planCertificate(none);
    assert.equal(apply.kind, 'apply');
    const hosted = issuanceValidity(cab, { kind: 'issue', revision: 1, notBefore: t('2027-04-01T00:00:00Z'), purpose: 'New', yearInParts: true });
    assert.deepEqual([f(hosted.notAfter), f(hosted.serviceYearEnd ?? 0)], ['2027-07-10T00:00:00Z', '2028-03-31T00:00:00Z']);
    const single = issuanceValidity(cab, { kind: 'issue', revision: 1, notBefore: t('2027-04-01T00:00:00Z'), purpose: 'New' });
    assert.deepEqual([f(single.notAfter), single.serviceYearEnd], ['2027-07-10T00:00:00Z', undefined]);
  });

  it('R-PROFILE a manual renewal counts the window of the year, not of the certificate inside it', () => {
    const o = obs('2027-06-20T00:00:00Z', { successors: [], current: { ...current, notBefore: t('2027-06-10T00:00:00Z'), notAfter: t('2027-09-18T00:00:00Z') } });
    const step = planCertificate({ ...o, spec: { ...o.spec, servicePeriodYears: 1, renewRequest: 'r1' }, secret: { state: 'ours', revision: 1, serial: 'aa', usable: true } });
    assert.equal(step.kind, 'refuse-renewal');
    if (step.kind === 'refuse-renewal') assert.equal(step.reason, 'OutsideRenewalWindow');
  });
});
