// Spec section 5: who gets which serial, what it costs (R-DEPLOY-CREDITS), R-AUTODEPLOY-PRE, R-INHERIT,
// R-CSR-NO-DEPLOY, R-TARGET-CDN coverage.
import assert from 'node:assert/strict';
import { planRollout, targetUnits, type RolloutInput, type TargetFacts, type UnitRecord } from '../../../src/domain/rollout-plan.ts';

const waf: TargetFacts = { name: 'waf', type: 'WAF', domains: ['a.example.com', 'b.example.com', 'c.example.com'], certificateOnly: false };
const slb: TargetFacts = { name: 'slb', type: 'SLB', domains: [], certificateOnly: false };
const secret: TargetFacts = { name: 'copy', type: 'Secret', domains: [], certificateOnly: true };
const base: RolloutInput = {
  source: 'Issue', names: ['*.example.com'], currentSerial: 's2', hostedRenewal: false, sameRevisionSerials: [], keyless: false, autoDeployRequested: false,
  hosted: false, deployRequested: false, grantRemaining: 0, packageAvailable: 0, targets: [slb], missingTargets: [], records: [], observed: () => undefined,
};
const deployed = (target: string, domain: string, serial: string): UnitRecord => ({ target, domain, serialNumber: serial, state: 'Deployed' });

describe('rollout plan', () => {
  it('R-DEPLOY-CREDITS a certificate deployed to 3 domains of a WAF makes 3 deployments', () => {
    assert.equal(targetUnits(['*.example.com'], waf).units.length, 3);
  });
  it('R-TARGET-CDN a domain the certificate does not cover is skipped', () => {
    const t = targetUnits(['a.example.com'], waf);
    assert.deepEqual([t.units.map((u) => u.domain), t.uncovered], [['a.example.com'], ['b.example.com', 'c.example.com']]);
  });
  it('R-DEPLOY-CREDITS the first deployment of a certificate issued here is free and authorises the current serial', () => {
    const p = planRollout(base);
    assert.deepEqual(p.records.map((r) => [r.target, r.serialNumber, r.state]), [['slb', 's2', 'Pending']]);
    assert.equal(p.charged.length, 0);
  });
  it('R-PROFILE a rollover (or re-issue) of the deployed revision goes to its targets by itself, at no charge, even with auto-deploy off', () => {
    const p = planRollout({ ...base, targets: [waf], sameRevisionSerials: ['s1'], records: [deployed('waf', 'a.example.com', 's1'), deployed('waf', 'b.example.com', 's1')] });
    assert.deepEqual(p.records.filter((r) => r.state !== 'Skipped').map((r) => [r.domain, r.serialNumber]), [['a.example.com', 's2'], ['b.example.com', 's2'], ['c.example.com', 's2']]);
    assert.equal(p.charged.length, 0);
    // A serial of an older revision is a renewal: it still waits for auto-deploy or a request.
    const renewal = planRollout({ ...base, sameRevisionSerials: ['s0'], records: [deployed('slb', '*.example.com', 's1')] });
    assert.deepEqual(renewal.records.map((r) => r.serialNumber), ['s1']);
    assert.equal(renewal.summary, 'NewerCertificateNotDeployed');
  });
  it('R-DEPLOY-CREDITS an uploaded certificate costs a credit per deployment, every time', () => {
    assert.equal(planRollout({ ...base, source: 'Upload', targets: [waf] }).charged.length, 3);
    const again = planRollout({ ...base, source: 'Upload', deployRequested: true, records: [deployed('slb', '*.example.com', 's1')] });
    assert.equal(again.charged.length, 1);
  });
  it('R-INHERIT R-AUTODEPLOY-PRE a hosted renewal is deployed to every target automatically and charged', () => {
    const p = planRollout({ ...base, hostedRenewal: true, autoDeployRequested: true, hosted: true, grantRemaining: 5, targets: [slb, waf], records: [deployed('slb', '*.example.com', 's1'), ...['a', 'b', 'c'].map((x) => deployed('waf', `${x}.example.com`, 's1'))] });
    assert.ok(p.records.every((r) => r.serialNumber === 's2' && r.state === 'Pending'));
    assert.equal(p.charged.length, 4);
    assert.equal(p.trigger, 'auto');
  });
  it('R-ROLLOUT-SAFE without auto-deploy a renewal keeps the old serial on targets until a deploy request', () => {
    const records = [deployed('slb', '*.example.com', 's1')];
    const kept = planRollout({ ...base, records });
    assert.deepEqual([kept.records[0]?.serialNumber, kept.records[0]?.state, kept.summary], ['s1', 'Deployed', 'NewerCertificateNotDeployed']);
    const asked = planRollout({ ...base, records, deployRequested: true });
    assert.deepEqual([asked.records[0]?.serialNumber, asked.charged.length], ['s2', 0]);
  });
  it('R-AUTODEPLOY-PRE no credits left: no automatic deployment', () => {
    const p = planRollout({ ...base, hostedRenewal: true, autoDeployRequested: true, hosted: true, records: [deployed('slb', '*.example.com', 's1')] });
    assert.equal(p.records[0]?.serialNumber, 's1');
    assert.ok(!p.autoDeploy.enabled && p.autoDeploy.reason === 'NoDeploymentCredits');
  });
  it('R-AUTODEPLOY-PRE auto-deploy is enabled only once the certificate was deployed', () => {
    assert.equal(planRollout({ ...base, autoDeployRequested: true, hosted: true, grantRemaining: 5 }).autoDeploy.enabled, false);
    assert.equal(planRollout({ ...base, autoDeployRequested: true, hosted: true, grantRemaining: 5, records: [deployed('slb', '*.example.com', 's2')] }).autoDeploy.enabled, true);
  });
  it('R-CSR-NO-DEPLOY a certificate from a manual CSR only goes to certificate-only Secret targets', () => {
    const p = planRollout({ ...base, keyless: true, targets: [slb, secret] });
    assert.deepEqual(p.records.map((r) => [r.target, r.state]), [['slb', 'Failed'], ['copy', 'Pending']]);
  });
  it('R-VERIFY the observed state of the authorised serial is reported; complete when all serve the current one', () => {
    const p = planRollout({ ...base, observed: () => ({ serialNumber: 's2', state: 'Deployed' }) });
    assert.deepEqual([p.records[0]?.state, p.complete, p.summary], ['Deployed', true, 'Deployed']);
    const f = planRollout({ ...base, observed: () => ({ serialNumber: 's2', state: 'Failed', message: 'DomainNotFound' }) });
    assert.deepEqual([f.summary, f.records[0]?.message], ['DeploymentFailed', 'DomainNotFound']);
  });
  it('a target named but missing is reported', () => {
    const p = planRollout({ ...base, targets: [], missingTargets: ['ghost'] });
    assert.deepEqual([p.records[0]?.state, p.summary], ['Failed', 'DeploymentFailed']);
  });
});
