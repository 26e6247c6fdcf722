// What only a process and a control plane of its own can show: two replicas with leader election
// (only the leader writes; the standby takes over within the lease after the leader is killed), and
// informers that recover by themselves when kube-apiserver restarts under them (every watch cut).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, isAlreadyExists } from '../../src/runtime/kube-client.ts';
import { crdFiles, repoRoot } from './harness/cluster.ts';
import { useTestNamespace } from './harness/namespace.ts';
import { adminClient, certificate, certificatePackage, eventually, paths, runOperator, waitCert } from './support/operator.ts';
import { type OperatorProcess, startOperatorProcess } from './support/operator-process.ts';

interface EventItem { reason?: string; reportingInstance?: string; regarding?: { name?: string } }

describe('leader election and recovery (operator processes, real API server)', function () {
  this.timeout(240_000);
  const ns = useTestNamespace('ha');
  const procs: OperatorProcess[] = [];
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill()));
  });

  it('two replicas: only the leader reconciles; after the leader is SIGKILLed the standby takes over within the lease', async () => {
    const c = adminClient();
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 5));
    const a = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', leaderElect: true });
    procs.push(a);
    const aReady = await eventually('a leads', async () => {
      const r = await a.readyz();
      return r?.leader ? r : undefined;
    });
    const b = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', leaderElect: true });
    procs.push(b);
    const bReady = await eventually('b ready', async () => {
      const r = await b.readyz();
      return r?.ok ? r : undefined;
    }, 60_000);
    assert.equal(bReady.leader, false, 'the second replica stands by');

    await c.create(paths.certificate(ns.name), certificate(ns.name, 'one'));
    await waitCert(c, ns.name, 'one', 'issued by the leader', (x) => x.status?.revision === 1);
    // Events are recorded fire-and-forget: wait until the certificate has one, then see who wrote them.
    const writers = (name: string): Promise<Set<string>> => eventually(`an Event about ${name}`, async () => {
      const w = new Set((await c.list<EventItem>(paths.events(ns.name))).items.filter((e) => e.regarding?.name === name).map((e) => e.reportingInstance ?? ''));
      return w.size > 0 ? w : undefined;
    });
    assert.deepEqual([...(await writers('one'))], [aReady.identity]);

    const killedAt = performance.now();
    await a.kill('SIGKILL');
    await eventually('b leads', async () => ((await b.readyz())?.leader ? true : undefined), 40_000);
    const tookOverMs = performance.now() - killedAt;
    process.stderr.write(`      (standby took over ${Math.round(tookOverMs)} ms after the leader was killed)\n`);
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'two'));
    await waitCert(c, ns.name, 'two', 'issued by the new leader', (x) => x.status?.revision === 1);
    assert.deepEqual([...(await writers('two'))], [bReady.identity]);
  });

  it('a graceful shutdown (SIGTERM) releases the lease so the standby leads at once', async () => {
    const a = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', leaderElect: true });
    procs.push(a);
    await eventually('a leads', async () => ((await a.readyz())?.leader ? true : undefined));
    const b = await startOperatorProcess({ namespace: ns.name, fakeNow: '2025-01-01T00:00:00Z', leaderElect: true });
    procs.push(b);
    assert.equal(await a.kill('SIGTERM'), '0', 'exits cleanly');
    const lease = await adminClient().get<{ spec: { holderIdentity?: string | null } }>(`/apis/coordination.k8s.io/v1/namespaces/${ns.name}/leases/certhost-operator`);
    assert.ok(lease?.spec.holderIdentity === null || lease?.spec.holderIdentity === undefined || lease.spec.holderIdentity === (await b.readyz())?.identity, 'the lease was released');
    await eventually('b leads', async () => ((await b.readyz())?.leader ? true : undefined), 10_000);
  });

  it('an informer whose watch is cut by a kube-apiserver restart recovers without restarting the operator', async () => {
    // A control plane of this test's own, so restarting its API server disturbs no other test.
    const dir = mkdtempSync(join(tmpdir(), 'certhost-restart-'));
    const env = { ...process.env, CERTHOST_LOCAL_DIR: dir, CERTHOST_WATCH_PID: String(process.pid) };
    const script = join(repoRoot, 'hack/local-cluster.sh');
    const kubeconfig = execFileSync('bash', [script, 'up'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop() ?? '';
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      const c = new KubeClient(kc, { qps: 1000, burst: 1000 });
      for (const f of crdFiles()) execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', f], { stdio: 'ignore' });
      for (const f of crdFiles()) execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', '-f', f, '--timeout=60s'], { stdio: 'ignore' });
      await c.create('/api/v1/namespaces', { metadata: { name: 'apps' } });
      await c.create(paths.package('apps'), certificatePackage('apps', 'certs', 5));
      const op = await runOperator('apps', '2025-01-01T00:00:00Z', () => undefined, kc);
      try {
        await c.create(paths.certificate('apps'), certificate('apps', 'before'));
        await waitCert(c, 'apps', 'before', 'issued before the restart', (x) => x.status?.revision === 1);
        const restartsBefore = op.operator.certificates.restarts;
        execFileSync('bash', [script, 'restart-apiserver'], { env, stdio: 'ignore' });
        // The test's own client may hold a connection the restart cut: retry its create. A retried
        // create whose first attempt did reach the server answers 409 AlreadyExists: that is success.
        await eventually('the API server accepts the next Certificate', async () => {
          try {
            await c.create(paths.certificate('apps'), certificate('apps', 'after'));
          } catch (e) {
            if (!isAlreadyExists(e)) throw e;
          }
          return true;
        }, 60_000);
        await waitCert(c, 'apps', 'after', 'issued after the restart, by the same operator', (x) => x.status?.revision === 1, 60_000);
        assert.ok(op.operator.certificates.restarts > restartsBefore, 'the informer noticed the cut and restarted its watch');
      } finally {
        await op.stop();
      }
    } finally {
      execFileSync('bash', [script, 'down'], { env, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
