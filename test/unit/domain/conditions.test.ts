// Conditions the Kubernetes way: lastTransitionTime moves only when status flips.
import assert from 'node:assert/strict';
import { hostedCondition, inWindowCondition, readyCondition, setCondition } from '../../../src/domain/conditions.ts';

const t = (s: string): number => Date.parse(s);

describe('conditions', () => {
  it('R-WINDOW a new condition gets the current time and the generation', () => {
    const c = setCondition([], inWindowCondition(true, null), 3, t('2025-09-01T00:00:00Z'));
    assert.deepEqual(c, [{ type: 'InRenewalWindow', status: 'True', reason: 'InWindow', message: 'The certificate is in its renewal window (R-WINDOW).', observedGeneration: 3, lastTransitionTime: '2025-09-01T00:00:00Z' }]);
  });
  it('R-WINDOW the same status with a new message keeps lastTransitionTime', () => {
    const first = setCondition([], readyCondition('Issued'), 1, t('2025-01-01T00:00:00Z'));
    const second = setCondition(first, readyCondition('Hosted'), 2, t('2025-02-01T00:00:00Z'));
    assert.equal(second[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(second[0]?.reason, 'Hosted');
    assert.equal(second[0]?.observedGeneration, 2);
  });
  it('R-EXPIRED a flip of status moves lastTransitionTime', () => {
    const first = setCondition([], readyCondition('Issued'), 1, t('2025-01-01T00:00:00Z'));
    const second = setCondition(first, readyCondition('Expired'), 1, t('2026-01-01T00:00:00Z'));
    assert.deepEqual([second[0]?.status, second[0]?.lastTransitionTime], ['False', '2026-01-01T00:00:00Z']);
  });
  it('R-HOSTING-AT-APPLY other conditions are left as they are', () => {
    const a = setCondition([], hostedCondition(true, t('2027-01-01T00:00:00Z')), 1, t('2025-01-01T00:00:00Z'));
    const b = setCondition(a, readyCondition('Issued'), 1, t('2025-01-02T00:00:00Z'));
    assert.deepEqual(b.map((c) => c.type), ['Hosted', 'Ready']);
    assert.deepEqual(b[0], a[0]);
  });
});
