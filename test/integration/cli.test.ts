// The kubectl plugin as a user runs it: bin/kubectl-certhost as a process against the real API server,
// with the operator in-process on the test clock producing the status the plugin reads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { Certificate } from '../../src/api/certificate-types.ts';
import { kubeconfigPath, repoRoot } from './harness/cluster.ts';
import { useTestNamespace } from './harness/namespace.ts';
import {
  type TestOperator, certificate, certificatePackage, eventually, getCert, hostingPackage, paths, runOperator, t, waitCert,
} from './support/operator.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-certhost');

interface Run { code: number; stdout: string; stderr: string }

function run(args: readonly string[], kubeconfig = kubeconfigPath()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(plugin, ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await run(args);
  assert.equal(r.code, 0, `kubectl-certhost ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The table row that starts with these cells (whitespace between them). */
function row(text: string, ...cells: string[]): string | undefined {
  const re = new RegExp(`^\\s*${cells.map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('\\s+')}(\\s|$)`);
  return text.split('\n').find((l) => re.test(l));
}

describe('kubectl certhost plugin (process, real API server)', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('cli');
  let op: TestOperator | undefined;
  afterEach(async () => {
    await op?.stop();
    op = undefined;
  });

  it('overview, status, plan, renew and structured output for a hosted and an unhosted certificate', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 2));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop', { hosting: { enabled: true, servicePeriodYears: 2 } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'blog'));
    const shop = await waitCert(c, ns.name, 'shop', 'shop issued with a queued successor', (x) => x.status?.revision === 1 && (x.status.successors?.length ?? 0) === 1);
    await waitCert(c, ns.name, 'blog', 'blog issued', (x) => x.status?.revision === 1 && x.status.state === 'Issued');
    const serial = shop.status?.current?.serialNumber ?? '';
    assert.ok(serial);
    const n = ['-n', ns.name];
    const now = ['--now', '2025-01-02T00:00:00Z'];

    // overview: states (the successor as Inactive), credits, nothing expiring within 30 days.
    const overview = await ok(['overview', ...n, ...now]);
    assert.ok(row(overview, 'Hosted', '已托管', '1'), overview);
    assert.ok(row(overview, 'Issued', '已签发', '1'), overview);
    assert.ok(row(overview, 'Inactive', '未激活', '1'), overview);
    assert.ok(row(overview, ns.name, 'certs', 'Certificate', 'DigiCert/DV/single/standard', '3', '2', '1', '0'), overview);
    assert.ok(row(overview, ns.name, 'hosting', 'Hosting', '-', '2', '0', '1', '1'), overview);
    assert.match(overview, /Expiring in the next 30 days:\n {2}None\./);
    const overviewJson = JSON.parse(await ok(['overview', ...n, ...now, '-o', 'json'])) as { states: Record<string, number>; credits: { name: string; available: number }[] };
    assert.deepEqual([overviewJson.states.Hosted, overviewJson.states.Issued, overviewJson.states.Inactive], [1, 1, 1]);
    assert.deepEqual(overviewJson.credits.map((p) => [p.name, p.available]), [['certs', 0], ['hosting', 1]]);

    // status: the serial, the successor with its submitAt, the conditions and the operator's Event
    // (recorded fire-and-forget, so it may land after the status the test waited for).
    const status = await eventually('the Issued Event in `status shop`', async () => {
      const out = await ok(['status', 'shop', ...n, ...now]);
      return row(out, '2025-01-01T00:00:00Z', 'Normal', 'Issued') ? out : undefined;
    });
    assert.match(status, /^State:\s+Hosted \(已托管\)$/m);
    assert.match(status, new RegExp(`^ {2}Serial:\\s+${serial}$`, 'm'));
    assert.ok(row(status, '2', 'Inactive', '2025-12-02T00:00:00Z'), status);
    assert.ok(row(status, 'Hosted', 'True', 'HostingEnabled'), status);
    assert.ok(row(status, '2025-01-01T00:00:00Z', 'Normal', 'Issued'), status);
    const statusJson = JSON.parse(await ok(['status', 'shop', ...n, '-o', 'json'])) as { current: { serialNumber: string }; successors: { submitAt: string }[]; events: { reason: string }[] };
    assert.equal(statusJson.current.serialNumber, serial);
    assert.equal(statusJson.successors[0]?.submitAt, '2025-12-02T00:00:00Z');
    assert.ok(statusJson.events.some((e) => e.reason === 'Issued'));

    // plan: the hosted renewal at the successor's submitAt; the unhosted one's window, reminders,
    // missing credit (the last certificate credit is reserved for shop's successor) and expiry.
    const plan = await ok(['plan', '--days', '400', ...n, ...now]);
    assert.match(plan, /^DATE\s+NAMESPACE\s+CERTIFICATE\s+EVENT\s+DETAIL$/m);
    assert.ok(row(plan, '2025-12-02T00:00:00Z', ns.name, 'shop', 'Renews'), plan);
    assert.ok(row(plan, '2025-12-02T00:00:00Z', ns.name, 'blog', 'WindowOpens'), plan);
    assert.ok(row(plan, '2025-12-02T00:00:00Z', ns.name, 'blog', 'NeedsCredits'), plan);
    assert.ok(row(plan, '2025-12-17T00:00:00Z', ns.name, 'blog', 'Reminder', '15-day'), plan);
    assert.ok(row(plan, '2026-01-01T00:00:00Z', ns.name, 'blog', 'Expires'), plan);
    const planYaml = load(await ok(['plan', '--days', '400', ...n, ...now, '-o', 'yaml'])) as { events: { date: string; certificate: string; event: string }[] };
    assert.deepEqual(planYaml.events.filter((e) => e.certificate === 'shop').map((e) => [e.date, e.event]), [['2025-12-02T00:00:00Z', 'Renews']]);
    const all = await ok(['plan', '-A', '--days', '400', ...now]);
    assert.ok(row(all, '2025-12-02T00:00:00Z', ns.name, 'shop', 'Renews'), all);

    // renew outside the window: the annotation is set, and the operator answers RenewalAllowed=False.
    const refused = await ok(['renew', 'blog', ...n, '--now', '2025-01-01T00:00:00Z']);
    assert.match(refused, /refused \(OutsideRenewalWindow\)/);
    assert.match(refused, /RenewalAllowed=False/);
    const value = /annotated certhost\.io\/renew=(\S+)/.exec(refused)?.[1];
    assert.ok(value, refused);
    assert.equal((await getCert(c, ns.name, 'blog')).metadata.annotations?.['certhost.io/renew'], value);
    await waitCert(c, ns.name, 'blog', 'RenewalAllowed=False OutsideRenewalWindow', (x) => x.status?.conditions?.some((k) => k.type === 'RenewalAllowed' && k.status === 'False' && k.reason === 'OutsideRenewalWindow') === true);

    // renew in the window with a credit: accepted, and the operator issues revision 2.
    await c.patch(paths.package(ns.name, 'certs'), { spec: { quantity: 4 } });
    op.clock.set(t('2025-12-10T00:00:00Z'));
    await waitCert(c, ns.name, 'shop', 'shop renewed by hosting', (x) => x.status?.revision === 2);
    await waitCert(c, ns.name, 'blog', 'blog in its window', (x) => x.status?.state === 'ExpiringSoon');
    const accepted = JSON.parse(await ok(['renew', 'blog', ...n, '--now', '2025-12-10T00:00:00Z', '-o', 'json'])) as { value: string; expected: { outcome: string; reason: string } };
    assert.deepEqual([accepted.expected.outcome, accepted.expected.reason], ['accept', 'CreditsAvailable']);
    const renewed = await waitCert(c, ns.name, 'blog', 'blog revision 2', (x: Certificate) => x.status?.revision === 2);
    assert.equal(renewed.status?.lastRenewRequest, accepted.value);
    const after = await ok(['overview', ...n, '--now', '2025-12-10T00:00:00Z']);
    assert.ok(row(after, ns.name, 'certs', 'Certificate', 'DigiCert/DV/single/standard', '4', '4', '0', '0'), after);
  });

  it('errors are one line and exit 1: no such certificate, no cluster', async () => {
    const missing = await run(['status', 'nope', '-n', ns.name]);
    assert.deepEqual([missing.code, missing.stderr, missing.stdout], [1, `error: certificate "nope" not found in namespace "${ns.name}"\n`, '']);
    const renewMissing = await run(['renew', 'nope', '-n', ns.name]);
    assert.deepEqual([renewMissing.code, renewMissing.stderr], [1, `error: certificate "nope" not found in namespace "${ns.name}"\n`]);

    // The same credentials against a loopback port where nothing listens any more.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const address = srv.address();
        srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'certhost-cli-'));
    const dead = join(dir, 'kubeconfig');
    writeFileSync(dead, readFileSync(kubeconfigPath(), 'utf8').replace(/server: https:\/\/\S+/, `server: https://127.0.0.1:${port}`));
    const down = await run(['overview', '-n', ns.name], dead);
    assert.equal(down.code, 1);
    assert.equal(down.stderr, `error: cannot reach the API server at https://127.0.0.1:${port} (ECONNREFUSED): is the cluster running and is the kubeconfig right?\n`);
  });
});
