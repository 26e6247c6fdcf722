// `kubectl certhost renew NAME`: the annotation it writes and what it tells the user to expect.
import assert from 'node:assert/strict';
import { expectRenewal, renderRenew, renewPatch, renewValue } from '../../../src/cli/renew.ts';
import { defaultProfile } from '../../../src/domain/issuer-profile.ts';
import { certificate, dvSingle, entries, hosted, hostingPackage, issued, t } from './objects.ts';

const rules = { profile: defaultProfile, creditsRequired: true };
const blog = certificate('blog', { status: issued('2024-10-01T00:00:00Z', '2025-10-01T00:00:00Z') });
const certs = hostingPackage('certs', 'Certificate', 1);

describe('kubectl certhost renew', () => {
  it('R-MANUAL requests a renewal with a merge patch of the certhost.io/renew annotation', () => {
    assert.deepEqual(renewPatch('2025-09-10T00:00:00.000Z'), { metadata: { annotations: { 'certhost.io/renew': '2025-09-10T00:00:00.000Z' } } });
  });

  it('R-MANUAL every request has a new value, even at the same instant as the last one', () => {
    const at = t('2025-09-10T00:00:00Z');
    assert.equal(renewValue(blog, at), '2025-09-10T00:00:00.000Z');
    const again = certificate('blog', { status: { lastRenewRequest: '2025-09-10T00:00:00.000Z' } });
    assert.equal(renewValue(again, at), '2025-09-10T00:00:00.000Z#2');
  });

  it('R-MANUAL outside the window the operator refuses: RenewalAllowed=False, OutsideRenewalWindow', () => {
    const e = expectRenewal(blog, [certs], t('2025-08-15T00:00:00Z'), rules);
    assert.deepEqual([e.outcome, e.reason], ['refuse', 'OutsideRenewalWindow']);
    assert.match(e.message, /2025-09-01T00:00:00Z/);
  });

  it('R-CARRY in the window it is accepted: 21 days carried on 2025-09-10, with a credit of the package', () => {
    const e = expectRenewal(blog, [certs], t('2025-09-10T00:00:00Z'), rules);
    assert.deepEqual([e.outcome, e.reason], ['accept', 'CreditsAvailable']);
    assert.match(e.message, /revision 2 now, carrying over 21 days/);
    assert.match(e.message, /from HostingPackage certs/);
  });

  it('R-INSUFFICIENT without a credit it is accepted but waits as Pending Application', () => {
    const spent = hostingPackage('certs', 'Certificate', 1, { ledger: entries(1, 'consumed') });
    const e = expectRenewal(blog, [spent], t('2025-09-10T00:00:00Z'), rules);
    assert.deepEqual([e.outcome, e.reason], ['accept', 'InsufficientCertificateCredits']);
  });

  it('R-EXPIRED an expired certificate is refused with reason Expired', () => {
    assert.equal(expectRenewal(blog, [certs], t('2025-10-02T00:00:00Z'), rules).reason, 'Expired');
  });

  it('R-NOT-RENEWABLE a test certificate is refused', () => {
    const lab = certificate('lab', { spec: { product: { ...dvSingle, grade: 'test' } }, status: issued('2024-10-01T00:00:00Z', '2025-10-01T00:00:00Z') });
    assert.equal(expectRenewal(lab, [certs], t('2025-09-10T00:00:00Z'), rules).reason, 'NotRenewable');
  });

  it('R-EARLY a hosted certificate needs no manual renewal: AlreadyHosted', () => {
    const shop = hosted('shop', '2024-10-01T00:00:00Z', '2025-10-01T00:00:00Z', '2025-09-01T00:00:00Z');
    assert.equal(expectRenewal(shop, [certs], t('2025-08-15T00:00:00Z'), rules).reason, 'AlreadyHosted');
  });

  it('says that the operator decides and where a refusal shows', () => {
    const e = expectRenewal(blog, [certs], t('2025-08-15T00:00:00Z'), rules);
    const text = renderRenew(blog, 'v1', e, t('2025-08-15T00:00:00Z'));
    assert.match(text, /^certificate\.certhost\.io\/blog annotated certhost\.io\/renew=v1$/m);
    assert.match(text, /refused \(OutsideRenewalWindow\)/);
    assert.match(text, /RenewalAllowed=False/);
  });
});
