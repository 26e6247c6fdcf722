// The operator killed (SIGKILL) between the steps of an issuance or a renewal, then restarted: no
// revision is issued twice, no credit is spent twice or lost. Failpoints put the kill exactly between
// two writes; the restarted process must finish the work from what the API server holds.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Certificate } from '../../src/api/certificate-types.ts';
import { useTestNamespace } from './harness/namespace.ts';
import { adminClient, certificate, certificatePackage, eventually, events, getPackage, hostingPackage, paths, secretLeaf, waitCert } from './support/operator.ts';
import { type OperatorProcess, startOperatorProcess } from './support/operator-process.ts';
import { opensslFacts } from './support/openssl.ts';

describe('crash safety: SIGKILL between steps (operator process, real API server)', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('crash');
  let proc: OperatorProcess | undefined;
  afterEach(async () => {
    await proc?.kill();
    proc = undefined;
  });

  async function issuedOnce(name: string, revision: number): Promise<Certificate> {
    const c = adminClient();
    const cert = await waitCert(c, ns.name, name, `revision ${revision}`, (x) => x.status?.revision === revision && x.status.application === undefined, 30_000);
    const leaf = await secretLeaf(c, ns.name, `${name}-tls`);
    assert.equal(opensslFacts(leaf?.pem ?? '').serial, cert.status?.current?.serialNumber, 'the Secret holds the recorded certificate');
    // Events are recorded fire-and-forget after the status write: wait for the first, then give a
    // duplicate (were the revision issued twice) a moment to show before counting.
    const issued = async (): Promise<number> => (await events(c, ns.name)).filter((e) => e.reason === 'Issued' && e.regarding === name && e.note.includes(`revision ${revision},`)).length;
    await eventually(`the Issued event of revision ${revision}`, async () => ((await issued()) >= 1 ? true : undefined));
    await sleep(1000);
    assert.equal(await issued(), 1, `revision ${revision} issued exactly once`);
    return cert;
  }

  for (const point of ['after-credits', 'after-secret']) {
    it(`R-CONSUME killed ${point} during a first issuance: one revision, one credit`, async () => {
      const c = adminClient();
      await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
      proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', failpoints: [point] });
      await c.create(paths.certificate(ns.name), certificate(ns.name, 'crash'));
      assert.equal(await proc.exited, 'SIGKILL', `the failpoint ${point} killed the operator`);
      proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z' });
      await issuedOnce('crash', 1);
      const pkg = await getPackage(c, ns.name, 'certs');
      assert.deepEqual([pkg.status?.used, pkg.status?.reserved, pkg.status?.available], [1, 0, 2]);
    });
  }

  for (const point of ['after-credits', 'after-secret']) {
    it(`R-CARRY killed ${point} during a hosted renewal: the successor is issued once with its carry-over, credits exact`, async () => {
      const c = adminClient();
      await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 5));
      await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 5));
      proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z' });
      await c.create(paths.certificate(ns.name), certificate(ns.name, 'renew', { hosting: { enabled: true, servicePeriodYears: 2 } }));
      await issuedOnce('renew', 1);
      await proc.kill();
      // The window opens while the operator runs with the failpoint armed.
      proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-12-10T00:00:00Z', failpoints: [point] });
      assert.equal(await proc.exited, 'SIGKILL');
      proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-12-10T00:00:00Z' });
      const renewed = await issuedOnce('renew', 2);
      assert.equal(renewed.status?.current?.notAfter, '2027-01-01T00:00:00Z', 'R-CARRY: the chain keeps its expiry');
      const certs = await getPackage(c, ns.name, 'certs');
      const hosting = await getPackage(c, ns.name, 'hosting');
      assert.deepEqual([certs.status?.used, certs.status?.reserved, hosting.status?.used, hosting.status?.reserved], [2, 0, 1, 0]);
    });
  }

  it('R-CANCEL killed after returning credits of cancelled successors: the queue and the ledger agree after restart', async () => {
    const c = adminClient();
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 4));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 3));
    proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z' });
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'cancel', { hosting: { enabled: true, servicePeriodYears: 3 } }));
    await waitCert(c, ns.name, 'cancel', 'two successors', (x) => x.status?.successors?.length === 2);
    await proc.kill();
    proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-02-01T00:00:00Z', failpoints: ['after-cancel-release'] });
    await c.patch(paths.certificate(ns.name, 'cancel'), { spec: { hosting: { enabled: true, servicePeriodYears: 1 } } });
    assert.equal(await proc.exited, 'SIGKILL');
    proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-02-01T00:00:00Z' });
    await waitCert(c, ns.name, 'cancel', 'no successors', (x) => (x.status?.successors?.length ?? 0) === 0);
    const certs = await getPackage(c, ns.name, 'certs');
    const hosting = await getPackage(c, ns.name, 'hosting');
    assert.deepEqual([certs.status?.used, certs.status?.reserved, certs.status?.available], [1, 0, 3]);
    assert.deepEqual([hosting.status?.used ?? 0, hosting.status?.reserved, hosting.status?.available], [0, 0, 3]);
  });
});
