// Status writes are JSON merge patches (RFC 7386): what the patch leaves out of a nested object stays on
// the server, so a field that goes away must be sent as null.
import assert from 'node:assert/strict';
import type { CertificateStatus } from '../../../src/api/certificate-types.ts';
import { statusPatch } from '../../../src/controllers/certificate-status.ts';

const current = { serialNumber: 'aa', fingerprintSHA256: 'ff', notBefore: '2028-01-20T00:00:00Z', notAfter: '2028-03-31T00:00:00Z', carriedOverSeconds: 0, issuer: 'CN=x', keyAlgorithm: 'ECDSA P-256' };

describe('status merge patches', () => {
  it('R-PROFILE a field dropped inside current (serviceYearEnd after the year\'s last certificate) is sent as null', () => {
    const before: CertificateStatus = { revision: 1, current: { ...current, serialNumber: 'a0', serviceYearEnd: '2028-03-31T00:00:00Z' } };
    const after: CertificateStatus = { revision: 1, current };
    assert.deepEqual(statusPatch(before, after), { current: { serialNumber: 'aa', serviceYearEnd: null } });
  });
  it('top-level fields that go away are null, arrays are replaced whole, and no change is no patch', () => {
    const before: CertificateStatus = { revision: 1, current, successors: [{ revision: 2, state: 'Inactive' }], lastRenewRequest: 'r1' };
    const after: CertificateStatus = { revision: 2, current, successors: [] };
    assert.deepEqual(statusPatch(before, after), { revision: 2, successors: [], lastRenewRequest: null });
    assert.equal(statusPatch(after, { ...after }), null);
  });
});
