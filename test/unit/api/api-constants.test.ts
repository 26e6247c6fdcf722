// The names in src/api that other tools rely on: states (spec section 7), condition types and reasons,
// label and annotation keys, credit kinds.
import assert from 'node:assert/strict';
import { ConditionType, Reason } from '../../../src/api/conditions.ts';
import { creditKindOf, creditKinds, packageTypes } from '../../../src/api/hosting-package-types.ts';
import { Annotation, Label, managedByValue } from '../../../src/api/labels.ts';
import { certificateStates, isCertificateState, stateDisplayNames, stateLabels, statePrecedence } from '../../../src/api/states.ts';

describe('states (spec section 7)', () => {
  it('there are 11 states, each with its console label', () => {
    assert.equal(certificateStates.length, 11);
    const labels: [string, string][] = [
      ['PendingApplication', '待申请'], ['UnderReview', '审核中'], ['ReviewFailed', '审核失败'], ['Issued', '已签发'],
      ['ExpiringSoon', '即将过期'], ['Expired', '已过期'], ['Revoked', '已吊销'], ['Hosted', '已托管'],
      ['Inactive', '未激活'], ['AutoDeploy', '到期自动部署'], ['Uploaded', '上传证书'],
    ];
    assert.deepEqual(Object.entries(stateLabels), labels);
    assert.deepEqual(Object.keys(stateDisplayNames), [...certificateStates]);
  });
  it('the precedence lists every state once, in the order of the table', () => {
    assert.deepEqual([...statePrecedence].sort(), [...certificateStates].sort());
    assert.deepEqual(statePrecedence.slice(0, 3), ['Revoked', 'Expired', 'Inactive']);
    assert.equal(statePrecedence.at(-1), 'Issued');
  });
  it('isCertificateState recognises the states only', () => {
    assert.ok(certificateStates.every(isCertificateState));
    assert.ok(!isCertificateState('Pending') && !isCertificateState('hosted'));
  });
});

describe('conditions', () => {
  const camel = /^[A-Z][A-Za-z0-9]*$/;
  it('condition types include the ones the architecture names', () => {
    for (const t of ['Ready', 'Issuing', 'InRenewalWindow', 'Hosted', 'QuotaAvailable', 'Deployed', 'ValidityTruncated', 'RenewalAllowed']) {
      assert.equal((ConditionType as Record<string, string>)[t], t);
    }
  });
  it('types and reasons are CamelCase constants equal to their names', () => {
    for (const [k, v] of [...Object.entries(ConditionType), ...Object.entries(Reason)]) {
      assert.equal(k, v);
      assert.match(v, camel);
    }
  });
  it('reasons the spec names exist', () => {
    for (const r of ['Expired', 'RenewalNotAllowed', 'DomainNotFound', 'DomainNotOnboarded', 'NamespaceNotAllowed', 'SecretConflict']) {
      assert.equal((Reason as Record<string, string>)[r], r);
    }
  });
});

describe('labels and annotations', () => {
  const qualifiedName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
  it('keys are valid Kubernetes qualified names', () => {
    for (const k of [...Object.values(Label), ...Object.values(Annotation)]) assert.match(k, qualifiedName);
  });
  it('the keys the architecture fixes', () => {
    assert.equal(Annotation.renew, 'certhost.io/renew');
    assert.equal(Annotation.allowTargetsFrom, 'certhost.io/allow-targets-from');
    assert.equal(Annotation.notAfter, 'certhost.io/not-after');
    assert.equal(Label.managedBy, 'app.kubernetes.io/managed-by');
    assert.equal(managedByValue, 'certhost');
    assert.equal(Label.certificate, 'certhost.io/certificate');
    assert.equal(Label.serial, 'certhost.io/serial');
    assert.equal(Label.revision, 'certhost.io/revision');
  });
});

describe('credit kinds', () => {
  it('each package type holds one credit kind', () => {
    assert.deepEqual(creditKinds, ['certificate', 'hosting', 'deployment']);
    assert.deepEqual(packageTypes.map((t) => creditKindOf[t]), [...creditKinds]);
  });
});
