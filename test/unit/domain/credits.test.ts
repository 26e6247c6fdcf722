// R-CONSUME, R-INSUFFICIENT, R-REFUND, R-CANCEL, R-FREE-QUOTA, R-YEARS, R-HOSTING-AT-APPLY,
// R-HOSTING-LATER, R-DEPLOY-CREDITS, R-AUTODEPLOY-PRE.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Product } from '../../../src/api/product.ts';
import {
  type CreditNeed, type LedgerEntry, type PackageView,
  commit, compactLedger, ledgerKey, packageCounters, planCredits, refundOnRevoke, release, reserve,
} from '../../../src/domain/credit-ledger.ts';
import { applicationCost, freeQuotaAvailable, hostingLaterCost, renewalCost } from '../../../src/domain/credit-costs.ts';
import { autoDeployStatus, deploymentCharge, deploymentUnits } from '../../../src/domain/deployment-credits.ts';
import { DAY, days } from '../../../src/domain/time.ts';

const t = (s: string): number => Date.parse(s);
const now = t('2025-08-15T00:00:00Z');
const dv: Product = { brand: 'DigiCert', type: 'DV', domainType: 'single', grade: 'standard' };
const ov: Product = { brand: 'DigiCert', type: 'OV', domainType: 'multi', grade: 'standard' };
const pkg = (name: string, kind: PackageView['kind'], quantity: number, extra: Partial<PackageView> = {}): PackageView =>
  ({ name, kind, quantity, ledger: [], compactedUsed: 0, ...(kind === 'certificate' ? { product: dv } : {}), ...extra });
const need = (rev: number, kind: CreditNeed['kind'], product: Product | undefined = dv): CreditNeed =>
  ({ key: ledgerKey('uid-1', rev, kind), certificate: 'uid-1', revision: rev, kind, ...(kind === 'certificate' && product ? { product } : {}) });

describe('R-HOSTING-AT-APPLY and R-YEARS costs', () => {
  const rows: [string, Product, number, { certificate: number; hosting: number } | string][] = [
    ['R-HOSTING-AT-APPLY 1 year is a plain purchase: 1 certificate, 0 hosting', dv, 1, { certificate: 1, hosting: 0 }],
    ['R-HOSTING-AT-APPLY DV 2 years: 2 certificate, 1 hosting', dv, 2, { certificate: 2, hosting: 1 }],
    ['R-HOSTING-AT-APPLY DV 4 years: 4 certificate, 3 hosting', dv, 4, { certificate: 4, hosting: 3 }],
    ['R-HOSTING-AT-APPLY DV 5 years is refused', dv, 5, 'ServicePeriodOutOfRange'],
    ['R-HOSTING-AT-APPLY OV 2 years: 2 certificate, 1 hosting', ov, 2, { certificate: 2, hosting: 1 }],
    ['R-HOSTING-AT-APPLY OV 3 years is refused', ov, 3, 'ServicePeriodOutOfRange'],
    ['R-NOT-RENEWABLE a test certificate cannot be hosted', { ...dv, grade: 'test' }, 2, 'HostingNotAvailable'],
    ['R-NOT-RENEWABLE a mixed-domain certificate cannot be hosted', { ...dv, domainType: 'mixed' }, 2, 'HostingNotAvailable'],
  ];
  for (const [name, product, years, expected] of rows) {
    it(name, () => {
      const c = applicationCost(product, 'Issue', { enabled: true, servicePeriodYears: years });
      if (typeof expected === 'string') assert.ok(!c.ok && c.reason === expected && c.message.length > 0);
      else assert.ok(c.ok && c.certificate === expected.certificate && c.hosting === expected.hosting, JSON.stringify(c));
    });
  }
  it('R-FREE-QUOTA a free certificate uses a quota slot, not a certificate credit', () => {
    const c = applicationCost({ ...dv, grade: 'free' }, 'Issue', { enabled: false });
    assert.ok(c.ok && c.certificate === 0 && c.freeQuota === 1);
  });
  it('R-YEARS N years bought inside the window cost N certificate and N-1 hosting credits', () => {
    for (const n of [1, 2, 3]) assert.deepEqual(renewalCost(n, true), { ok: true, certificate: n, hosting: n - 1, freeQuota: 0, deploymentGrant: 0 });
  });
  it('R-YEARS N years bought before the window cost N and N', () => {
    for (const n of [1, 2, 3]) assert.deepEqual(renewalCost(n, false), { ok: true, certificate: n, hosting: n, freeQuota: 0, deploymentGrant: 0 });
    assert.equal(renewalCost(4, true).ok, false);
  });
  it('R-HOSTING-LATER costs one certificate and one hosting credit and grants 5 deployment credits', () => {
    assert.deepEqual(hostingLaterCost(), { certificate: 1, hosting: 1, freeQuota: 0, deploymentGrant: 5 });
  });
});

describe('R-CONSUME / R-INSUFFICIENT credit plans', () => {
  it('R-CONSUME a plan covers every need from fitting packages', () => {
    const p = planCredits([need(1, 'certificate'), need(2, 'certificate'), need(2, 'hosting')], [pkg('certs', 'certificate', 2), pkg('host', 'hosting', 1)], now);
    assert.ok(p.ok);
    assert.deepEqual(p.allocations.map((a) => a.packageName), ['certs', 'certs', 'host']);
  });
  it('R-INSUFFICIENT a missing hosting credit spends nothing and names what is missing', () => {
    const p = planCredits([need(1, 'certificate'), need(2, 'certificate'), need(2, 'hosting')], [pkg('certs', 'certificate', 5)], now);
    assert.ok(!p.ok);
    assert.deepEqual(p.missing, [{ kind: 'hosting', count: 1 }]);
    assert.match(p.message, /1 hosting credit/);
  });
  it('R-SAME-SPEC a certificate credit of another specification does not fit', () => {
    const p = planCredits([need(1, 'certificate', ov)], [pkg('certs', 'certificate', 5)], now);
    assert.ok(!p.ok && p.missing[0]?.kind === 'certificate' && p.message.includes('DigiCert/OV/multi/standard'));
  });
  it('R-CONSUME a replayed step finds its key held and spends nothing more', () => {
    const held = pkg('certs', 'certificate', 1, { ledger: reserve([], need(1, 'certificate'), now) });
    const p = planCredits([need(1, 'certificate')], [held], now);
    assert.ok(p.ok && p.allocations.length === 0 && p.alreadyHeld.length === 1);
  });
  it('R-CONSUME an expired package spends nothing', () => {
    const p = planCredits([need(1, 'certificate')], [pkg('old', 'certificate', 5, { expires: now - 1 })], now);
    assert.equal(p.ok, false);
  });
  it('R-CONSUME packages that expire sooner are used first', () => {
    const p = planCredits([need(1, 'certificate')], [pkg('b-late', 'certificate', 1, { expires: now + days(100) }), pkg('a-soon', 'certificate', 1, { expires: now + days(10) })], now);
    assert.ok(p.ok && p.allocations[0]?.packageName === 'a-soon');
  });
  it('R-INSUFFICIENT a plan either covers everything or spends nothing (property)', () => {
    const kinds = fc.constantFrom('certificate', 'hosting', 'deployment') as fc.Arbitrary<CreditNeed['kind']>;
    fc.assert(fc.property(
      fc.array(kinds, { maxLength: 8 }),
      fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 4 })), { maxLength: 4 }),
      (needKinds, pkgs) => {
        const needs = needKinds.map((k, i) => need(i + 1, k));
        const views = pkgs.map(([k, q], i) => pkg(`p${i}`, k, q));
        const plan = planCredits(needs, views, now);
        const supply = (k: string): number => views.filter((v) => v.kind === k).reduce((s, v) => s + v.quantity, 0);
        const demand = (k: string): number => needKinds.filter((x) => x === k).length;
        const enough = ['certificate', 'hosting', 'deployment'].every((k) => supply(k) >= demand(k));
        if (!plan.ok) return !enough && plan.missing.length > 0;
        // Covered: one allocation per need, never more than a package holds.
        const perPkg = new Map<string, number>();
        for (const a of plan.allocations) perPkg.set(a.packageName, (perPkg.get(a.packageName) ?? 0) + 1);
        return enough && plan.allocations.length === needs.length && views.every((v) => (perPkg.get(v.name) ?? 0) <= v.quantity);
      },
    ));
  });
});

describe('ledger transitions', () => {
  const n1 = need(1, 'certificate');
  it('R-CONSUME reserve, commit and counters add up', () => {
    let ledger: LedgerEntry[] = reserve([], n1, now);
    ledger = reserve(ledger, n1, now); // replay: no second entry
    assert.equal(ledger.length, 1);
    const p = pkg('certs', 'certificate', 3, { ledger });
    assert.deepEqual(packageCounters(p, now), { total: 3, used: 0, reserved: 1, available: 2 });
    ledger = commit(ledger, n1.key, now);
    assert.deepEqual(packageCounters({ ...p, ledger }, now), { total: 3, used: 1, reserved: 0, available: 2 });
  });
  it('R-CANCEL releasing an Inactive successor reservation returns the credit', () => {
    const ledger = release(reserve([], n1, now), n1.key, now);
    assert.deepEqual(packageCounters(pkg('c', 'certificate', 1, { ledger }), now), { total: 1, used: 0, reserved: 0, available: 1 });
  });
  it('R-REFUND revoked within 30 days returns the credit, after 30 days nothing', () => {
    const issued = t('2025-08-01T00:00:00Z');
    assert.equal(refundOnRevoke(issued, issued + days(30)), true);
    assert.equal(refundOnRevoke(issued, issued + days(30) + 1000), false);
  });
  it('R-CONSUME compaction keeps reservations, folds old consumed entries into used and keeps counters exact', () => {
    const old = now - days(40);
    const entries: LedgerEntry[] = [
      { key: 'a', certificate: 'u', revision: 1, kind: 'certificate', state: 'consumed', time: old },
      { key: 'b', certificate: 'u', revision: 2, kind: 'certificate', state: 'released', time: old },
      { key: 'c', certificate: 'u', revision: 3, kind: 'certificate', state: 'reserved', time: old },
      { key: 'd', certificate: 'u', revision: 4, kind: 'certificate', state: 'consumed', time: now - DAY },
    ];
    const before = packageCounters(pkg('p', 'certificate', 10, { ledger: entries }), now);
    const c = compactLedger(entries, 0, now);
    assert.deepEqual(c.ledger.map((e) => e.key), ['c', 'd']);
    assert.equal(c.compactedUsed, 1);
    assert.deepEqual(packageCounters(pkg('p', 'certificate', 10, { ledger: c.ledger, compactedUsed: c.compactedUsed }), now), before);
  });
  it('R-REFUND a consumed entry stays through the refund period so revoking can still return it', () => {
    const entries: LedgerEntry[] = [{ key: 'a', certificate: 'u', revision: 1, kind: 'certificate', state: 'consumed', time: now - days(29) }];
    assert.deepEqual(compactLedger(entries, 0, now).ledger.map((e) => e.key), ['a']);
  });
  it('R-CONSUME past maxEntries the oldest settled entries are folded and the counters stay exact', () => {
    const entries: LedgerEntry[] = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, certificate: 'u', revision: i, kind: 'certificate' as const, state: 'consumed' as const, time: now - i * 1000 }));
    const c = compactLedger(entries, 0, now, DAY, 4);
    assert.deepEqual(c.ledger.map((e) => e.key), ['k0', 'k1', 'k2', 'k3']);
    assert.equal(c.compactedUsed, 6);
  });
});

describe('R-FREE-QUOTA', () => {
  it('R-FREE-QUOTA records of this calendar year occupy the quota, expired or revoked included', () => {
    const records = Array.from({ length: 19 }, () => ({ createdAt: t('2025-02-01T00:00:00Z') }));
    assert.equal(freeQuotaAvailable(records, now), 1);
    assert.equal(freeQuotaAvailable([...records, { createdAt: now }], now), 0);
  });
  it('R-FREE-QUOTA deleting a record frees its slot', () => {
    const records = Array.from({ length: 20 }, () => ({ createdAt: now }));
    assert.equal(freeQuotaAvailable(records.slice(1), now), 1);
  });
  it('R-FREE-QUOTA last year\'s certificates do not use this year\'s quota; unused quota lapses', () => {
    assert.equal(freeQuotaAvailable([{ createdAt: t('2024-12-31T23:59:59Z') }], t('2025-01-01T00:00:00Z')), 20);
    assert.equal(freeQuotaAvailable([], t('2025-01-01T00:00:00Z'), 5), 5);
  });
});

describe('R-DEPLOY-CREDITS deployment accounting', () => {
  it('R-DEPLOY-CREDITS a certificate deployed to 3 domains of a WAF uses 3', () => {
    assert.equal(deploymentUnits([{ name: 'waf', domains: ['a.com', 'b.com', 'c.com'] }]).length, 3);
  });
  it('R-DEPLOY-CREDITS the same domain on a DDoS target and a WAF target uses 2', () => {
    assert.equal(deploymentUnits([{ name: 'ddos', domains: ['a.com'] }, { name: 'waf', domains: ['a.com'] }]).length, 2);
  });
  it('R-DEPLOY-CREDITS deploying a certificate issued here by hand is free', () => {
    assert.deepEqual(deploymentCharge({ source: 'Issue', trigger: 'manual', units: 3, grantRemaining: 0, packageAvailable: 0 }), { ok: true, fromGrant: 0, fromPackages: 0 });
  });
  it('R-DEPLOY-CREDITS an uploaded certificate costs one credit per deployment every time', () => {
    assert.deepEqual(deploymentCharge({ source: 'Upload', trigger: 'manual', units: 3, grantRemaining: 0, packageAvailable: 5 }), { ok: true, fromGrant: 0, fromPackages: 3 });
  });
  it('R-DEPLOY-CREDITS automatic deployment uses the certificate\'s own grant before packages', () => {
    assert.deepEqual(deploymentCharge({ source: 'Issue', trigger: 'auto', units: 7, grantRemaining: 5, packageAvailable: 10 }), { ok: true, fromGrant: 5, fromPackages: 2 });
  });
  it('R-DEPLOY-CREDITS too few credits deploys nothing', () => {
    const c = deploymentCharge({ source: 'Issue', trigger: 'auto', units: 7, grantRemaining: 5, packageAvailable: 1 });
    assert.ok(!c.ok && c.needed === 7 && c.available === 6);
  });
  it('R-AUTODEPLOY-PRE needs hosted, deployed once, credits left', () => {
    const base = { autoDeployRequested: true, hosted: true, deployedOnce: true, creditsRemaining: 1 };
    assert.deepEqual(autoDeployStatus(base), { enabled: true });
    const off = (f: typeof base): string => { const s = autoDeployStatus(f); return s.enabled ? 'on' : s.reason; };
    assert.equal(off({ ...base, hosted: false }), 'NotHosted');
    assert.equal(off({ ...base, deployedOnce: false }), 'NeverDeployed');
    assert.equal(off({ ...base, creditsRemaining: 0 }), 'NoDeploymentCredits');
    assert.equal(off({ ...base, autoDeployRequested: false }), 'NotRequested');
  });
});
