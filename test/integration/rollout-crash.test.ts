// The operator killed (SIGKILL) in the middle of a rollout to ten targets: after a restart every target
// serves the certificate and each copy was written exactly once (R-ROLLOUT-SAFE, keyed rollouts).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useTestNamespace } from './harness/namespace.ts';
import { adminClient, certificate, certificatePackage, eventually, events, paths, waitCert } from './support/operator.ts';
import { type OperatorProcess, startOperatorProcess } from './support/operator-process.ts';

describe('crash safety of a rollout (operator process, real API server)', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('rollcrash');
  let proc: OperatorProcess | undefined;
  afterEach(async () => {
    await proc?.kill();
    proc = undefined;
  });

  it('R-ROLLOUT-SAFE killed after the fifth of ten target writes: the restart finishes the rollout, each target deployed once', async () => {
    const c = adminClient();
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    const names = Array.from({ length: 10 }, (_, i) => `t${i}`);
    for (const n of names) {
      await c.create(`/apis/certhost.io/v1alpha1/namespaces/${ns.name}/deploymenttargets`, {
        apiVersion: 'certhost.io/v1alpha1', kind: 'DeploymentTarget', metadata: { name: n }, spec: { type: 'Secret', secret: { name: `copy-${n}` } },
      });
    }
    proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', failpoints: ['target-copy-written@5'] });
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'wide', { targets: names.map((name) => ({ name })) }));
    assert.equal(await proc.exited, 'SIGKILL', 'killed in the middle of the rollout');
    // What the killed process wrote: each copy's uid and resourceVersion, to show the restart leaves them be.
    const copyVersions = async (): Promise<Map<string, string>> => {
      const copies = await Promise.all(names.map(async (n) => [n, await c.get<{ metadata: { uid?: string; resourceVersion?: string } }>(paths.secret(ns.name, `copy-${n}`))] as const));
      return new Map(copies.flatMap(([n, s]) => (s ? [[n, `${s.metadata.uid}/${s.metadata.resourceVersion}`] as const] : [])));
    };
    const writtenBefore = await copyVersions();
    const copiesBefore = writtenBefore.size;
    assert.ok(copiesBefore >= 5 && copiesBefore < 10, `the crash left the rollout half done (${copiesBefore} of 10 copies)`);

    proc = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z' });
    const cert = await waitCert(c, ns.name, 'wide', 'all ten deployed', (x) => (x.status?.deployments ?? []).length === 10 && x.status?.deployments?.every((d) => d.state === 'Deployed') === true, 60_000);
    const serial = cert.status?.current?.serialNumber;
    for (const n of names) {
      const s = await c.get<{ metadata: { labels?: Record<string, string> } }>(paths.secret(ns.name, `copy-${n}`));
      assert.equal(s?.metadata.labels?.['certhost.io/serial'], serial, `${n} serves the certificate`);
    }
    // Each target announces its deployment; a target whose Event went out just before the SIGKILL, and
    // whose status did not, legitimately announces it again after the restart: at least one each.
    await eventually('a Deployed event for every target', async () => {
      const e = (await events(c, ns.name)).filter((x) => x.reason === 'Deployed');
      return names.every((n) => e.some((x) => x.regarding === n)) ? true : undefined;
    });
    // Written once: the copies the killed process had written are the very objects it wrote (same uid and
    // resourceVersion, so the restart did not write them again), and once settled no copy is written again.
    const settled = await copyVersions();
    for (const [n, version] of writtenBefore) assert.equal(settled.get(n), version, `${n}'s copy, written before the crash, was not written again`);
    await sleep(1000);
    assert.deepEqual(await copyVersions(), settled, 'no copy is rewritten once the rollout is done');
  });
});
