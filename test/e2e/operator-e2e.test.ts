// End to end, as a new user would: `helm install` of the chart into the local control plane, the built
// operator (`node dist/main.js`) running with the chart's ServiceAccount identity (impersonation:
// there is no kubelet to run its pod), `kubectl apply -k config/samples`, a year moved through
// /debug/clock, and the kubectl plugin's view of it. The only fake is the clock.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigPath, kubectl, kubectlPath, repoRoot } from '../integration/harness/cluster.ts';
import { uniqueNamespaceName } from '../integration/harness/namespace.ts';
import { removeCerthostObjects } from '../integration/harness/namespace.ts';
import { adminClient, eventually } from '../integration/support/operator.ts';
import { freePort } from '../integration/support/operator-process.ts';

interface CertView { metadata: { name: string }; status?: { state?: string; revision?: number; current?: { serialNumber?: string; notAfter?: string } } }

function helmBinary(): string {
  const dirs = [process.env.KUBEBUILDER_ASSETS ?? '', join(process.env.HOME ?? '', '.cache/certhost/bin/1.37.2-linux-amd64')];
  const found = dirs.map((d) => join(d, 'helm')).find((p) => existsSync(p));
  if (found) return found;
  return execFileSync('bash', [join(repoRoot, 'hack/ensure-test-binaries.sh')], { encoding: 'utf8' }).trim().split('\n').pop() + '/helm';
}

describe('e2e: helm install, the built operator as the chart\'s ServiceAccount, samples, a year on the test clock', function () {
  this.timeout(600_000);
  const system = uniqueNamespaceName('certhost-system');
  const apps = uniqueNamespaceName('apps');
  const work = mkdtempSync(join(tmpdir(), 'certhost-e2e-'));
  let operator: ChildProcess | undefined;
  let healthPort = 0;
  let metricsPort = 0;
  const logs: string[] = [];
  const c = (): ReturnType<typeof adminClient> => adminClient();
  const plugin = (...args: string[]): string => execFileSync(join(repoRoot, 'bin/kubectl-certhost'), ['--kubeconfig', kubeconfigPath(), ...args], { encoding: 'utf8' });

  before(async () => {
    // The production artifact: tsc's output, run by Node 24.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    assert.ok(existsSync(join(repoRoot, 'dist/main.js')), 'npm run build produced dist/main.js');
    await kubectl(['create', 'namespace', system]);
    await kubectl(['create', 'namespace', apps]);
  });

  after(async () => {
    operator?.kill('SIGTERM');
    await removeCerthostObjects(apps);
    try {
      execFileSync(helmBinary(), ['uninstall', 'certhost', '-n', system, '--kubeconfig', kubeconfigPath()], { stdio: 'ignore' });
    } catch {
      // best effort
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('helm install of the chart creates the operator\'s objects', async () => {
    const values = join(work, 'values.yaml');
    writeFileSync(values, 'config:\n  freeQuotaPerYear: 20\n');
    // CRDs are installed already by the test harness (from crds/, which the chart's crds/ copies); helm skips existing CRDs.
    execFileSync(helmBinary(), ['install', 'certhost', join(repoRoot, 'charts/certhost'), '-n', system, '--kubeconfig', kubeconfigPath(), '-f', values], { stdio: 'pipe' });
    const sa = JSON.parse(await kubectl(['get', 'serviceaccounts', '-n', system, '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    assert.ok(sa.items.some((s) => s.metadata.name.startsWith('certhost')), 'the ServiceAccount exists');
    const deploy = JSON.parse(await kubectl(['get', 'deployments', '-n', system, '-o', 'json'])) as { items: { spec: { template: { spec: { containers: { args?: string[] }[] } } } }[] };
    assert.ok(deploy.items[0]?.spec.template.spec.containers[0]?.args?.includes('--leader-elect'), 'the Deployment runs with leader election');
  });

  it('the built operator, as the chart\'s ServiceAccount, issues the samples and moves through a year on the test clock', async () => {
    const saName = (JSON.parse(await kubectl(['get', 'serviceaccounts', '-n', system, '-o', 'json'])) as { items: { metadata: { name: string } }[] })
      .items.find((s) => s.metadata.name.startsWith('certhost'))?.metadata.name ?? 'certhost';
    const identity = `system:serviceaccount:${system}:${saName}`;
    healthPort = await freePort();
    metricsPort = await freePort();
    const config = join(work, 'config.yaml');
    writeFileSync(config, `caSecret:\n  name: certhost-ca\n  namespace: ${system}\n`);
    operator = spawn(process.execPath, [join(repoRoot, 'dist/main.js'), '--kubeconfig', kubeconfigPath(), '--impersonate', identity, '--config', config,
      '--leader-elect', '--clock=fake', '--fake-now=2025-08-15T00:00:00Z', `--health-probe-bind-address=127.0.0.1:${healthPort}`, `--metrics-bind-address=127.0.0.1:${metricsPort}`],
    { env: { ...process.env, POD_NAMESPACE: system }, stdio: ['ignore', 'pipe', 'pipe'] });
    operator.stderr?.on('data', (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean)));
    await eventually('the operator leads and is ready', async () => {
      const r = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then((x) => x.json() as Promise<{ ok: boolean; leader: boolean }>).catch(() => null);
      return r?.ok && r.leader ? true : undefined;
    }, 60_000);

    await kubectl(['apply', '-k', join(repoRoot, 'config/samples'), '-n', apps]);
    const list = async (): Promise<CertView[]> => (await c().list<CertView>(`/apis/certhost.io/v1alpha1/namespaces/${apps}/certificates`)).items;
    const byName = async (n: string): Promise<CertView | undefined> => (await list()).find((x) => x.metadata.name === n);
    // Issued and hosted, shop is Hosted until its first deployment to a target; from then on auto-deploy is
    // enabled (R-AUTODEPLOY-PRE) and its steady state is AutoDeploy (spec section 7, row 7). Wait for that
    // steady state, not for the passing Hosted, which a fast rollout may skip between two reads.
    const shop = await eventually('the hosted sample reaches AutoDeploy', async () => {
      const x = await byName('shop');
      return x?.status?.state === 'AutoDeploy' ? x : undefined;
    }, 60_000);
    assert.equal(shop.status?.revision, 1);
    const columns = await kubectl(['get', 'hcert', '-n', apps]);
    assert.match(columns, /STATE\s+DOMAIN\s+NOT AFTER\s+HOSTED/);
    assert.match(columns, /shop\s+AutoDeploy\s+shop\.example\.com\s+2026-08-15T00:00:00Z\s+true/);

    // A year later (the window of the first certificate opens): the hosted successor is issued.
    const moved = await fetch(`http://127.0.0.1:${healthPort}/debug/clock`, { method: 'POST', body: JSON.stringify({ advance: '8400h' }) }).then((r) => r.json() as Promise<{ now: string }>);
    assert.equal(moved.now, '2026-07-31T00:00:00Z'); // 2025-08-15 + 350 days: inside the window that opened 2026-07-16
    const renewed = await eventually('shop renewed by hosting', async () => {
      const x = await byName('shop');
      return x?.status?.revision === 2 ? x : undefined;
    }, 60_000);
    assert.equal(renewed.status?.current?.notAfter, '2027-08-15T00:00:00Z', 'R-CARRY: the renewal keeps the expiry date');

    // The plugin shows what the console would.
    const overview = JSON.parse(plugin('overview', '-n', apps, '-o', 'json', '--now', moved.now)) as { states: Record<string, number>; credits: { name?: string; package?: string }[] };
    assert.ok((overview.states.Issued ?? 0) >= 1, 'the renewed certificate counts as Issued (its service period is in its last year)');
    assert.ok((overview.states.PendingApplication ?? 0) >= 1, 'samples without a matching package wait for credits');
    assert.ok(JSON.stringify(overview.credits).includes('web-dv-multi'), 'credits per package are listed');
    const status = plugin('status', 'shop', '-n', apps);
    assert.match(status, new RegExp(renewed.status?.current?.serialNumber ?? 'missing'));

    // Metrics are served and describe the certificates. The scrape is built from the informer cache,
    // which may lag the status just read: scrape until it shows it.
    const expected = [
      new RegExp(`certhost_certificate_state\\{namespace="${apps}",name="shop",state="Issued"\\} 1`),
      /certhost_kube_api_requests_total\{verb="create",resource="secrets",code="201"\}/,
    ];
    await eventually('the metrics to describe the certificates', async () => {
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      const missing = expected.filter((re) => !re.test(metrics));
      if (missing.length > 0) throw new Error(`/metrics has no line matching ${missing.map(String).join(', ')}`);
      return true;
    }, 20_000);
    assert.ok(!logs.some((l) => /"level":"error"/.test(l)), `no errors in the operator's log:\n${logs.filter((l) => l.includes('"error"')).join('\n')}`);
  });

  it('the chart\'s ServiceAccount cannot do what the operator does not need', async () => {
    const saName = (JSON.parse(await kubectl(['get', 'serviceaccounts', '-n', system, '-o', 'json'])) as { items: { metadata: { name: string } }[] })
      .items.find((s) => s.metadata.name.startsWith('certhost'))?.metadata.name ?? 'certhost';
    const as = `system:serviceaccount:${system}:${saName}`;
    // `kubectl auth can-i` answers yes/no on stdout (and exits 1 for no).
    const can = async (...args: string[]): Promise<string> =>
      spawnSync(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'auth', 'can-i', ...args, '--as', as], { encoding: 'utf8' }).stdout.trim();
    assert.match(await can('get', 'pods', '-n', apps), /no/);
    assert.match(await can('delete', 'certificates.certhost.io', '-n', apps), /no/);
    assert.match(await can('create', 'clusterroles'), /no/);
    assert.match(await can('patch', 'certificates.certhost.io/status', '-n', apps), /yes/);
    // A real request outside its permissions, made as the operator's identity, is denied.
    const denied = await kubectl(['get', 'pods', '-n', apps, '--as', as]).then(() => 'allowed', (e: Error) => e.message);
    assert.match(denied, /forbidden/i);
  });
});
