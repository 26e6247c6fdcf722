// Benchmark (not a test): one hosted renewal rolled out automatically to N Secret targets, against a
// real kube-apiserver, the operator running as its own process on the test clock. Prints one JSON object:
//   npm run bench -- rollout --targets 100
// Uses $KUBECONFIG when CERTHOST_USE_EXISTING_CLUSTER=true, else a private local control plane.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../src/runtime/kube-client.ts';

const { values } = parseArgs({ options: { targets: { type: 'string', default: '10' }, workers: { type: 'string', default: '8' } }, allowPositionals: true });
const n = Number(values.targets);
const root = new URL('..', import.meta.url).pathname;
const script = join(root, 'hack/local-cluster.sh');
const work = mkdtempSync(join(tmpdir(), 'certhost-bench-'));
const ownCluster = process.env.CERTHOST_USE_EXISTING_CLUSTER !== 'true';
const clusterEnv = { ...process.env, CERTHOST_LOCAL_DIR: join(work, 'cluster'), CERTHOST_WATCH_PID: String(process.pid) };
const kubeconfig = ownCluster
  ? execFileSync('bash', [script, 'up'], { env: clusterEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop() ?? ''
  : process.env.KUBECONFIG ?? '';
const kubectl = (...args: string[]): void => void execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: 'ignore' });
kubectl('apply', '-f', join(root, 'crds'));
kubectl('wait', '--for=condition=Established', '-f', join(root, 'crds'), '--timeout=60s');
const ns = `bench-${Date.now().toString(36)}`;
kubectl('create', 'namespace', ns);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const client = new KubeClient(kc, { qps: 2000, burst: 2000 });
const base = `/apis/certhost.io/v1alpha1/namespaces/${ns}`;
const product = { brand: 'Bench', type: 'DV', domainType: 'single', grade: 'standard' };

const port = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const a = s.address();
    s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  });
});
const [metricsPort, healthPort] = [await port(), await port()];
const configFile = join(work, 'config.yaml');
writeFileSync(configFile, `caSecret:\n  name: certhost-ca\n  namespace: ${ns}\n`);
const operator = spawn(process.execPath, [join(root, 'src/main.ts'), '--kubeconfig', kubeconfig, '--namespace', ns, '--config', configFile,
  '--clock=fake', '--fake-now=2025-01-01T00:00:00Z', `--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${healthPort}`,
  '--log-level=warn', '--workers', values.workers, '--qps', '1000', '--burst', '2000'], { stdio: ['ignore', 'ignore', 'inherit'] });
// Never leave the operator behind, whatever happens to the benchmark.
process.on('exit', () => operator.kill('SIGKILL'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function requests(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^certhost_kube_api_requests_total\{verb="(\w+)",resource="[^"]+",code="\d+"\} (\d+)/gm)) out[m[1] ?? '?'] = (out[m[1] ?? '?'] ?? 0) + Number(m[2]);
  return out;
}
for (let i = 0; i < 200; i++) {
  try {
    await requests();
    break;
  } catch {
    await sleep(100);
  }
}
await client.create(`${base}/hostingpackages`, { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name: 'certs' }, spec: { type: 'Certificate', product, quantity: 2 } });
await client.create(`${base}/hostingpackages`, { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name: 'hosting' }, spec: { type: 'Hosting', quantity: 1 } });
await client.create(`${base}/hostingpackages`, { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name: 'deploys' }, spec: { type: 'Deployment', quantity: n } });
const targets = Array.from({ length: n }, (_, i) => `t${i}`);
for (const t of targets) {
  await client.create(`${base}/deploymenttargets`, { apiVersion: 'certhost.io/v1alpha1', kind: 'DeploymentTarget', metadata: { name: t }, spec: { type: 'Secret', secret: { name: `copy-${t}` } } });
}
await client.create(`${base}/certificates`, {
  apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate', metadata: { name: 'site' },
  spec: { domains: ['site.bench.example.com'], product, secretName: 'site-tls', hosting: { enabled: true, servicePeriodYears: 2 }, autoDeploy: { enabled: true }, targets: targets.map((name) => ({ name })) },
});
interface CertView { status?: { revision?: number; state?: string; current?: { serialNumber?: string }; deployments?: { state: string; serialNumber: string }[] } }
const allDeployed = (c: CertView | null): boolean => (c?.status?.deployments ?? []).length === n && (c?.status?.deployments ?? []).every((d) => d.state === 'Deployed' && d.serialNumber === c?.status?.current?.serialNumber);
for (;;) {
  const c = await client.get<CertView>(`${base}/certificates/site`);
  if (allDeployed(c) && c?.status?.state === 'AutoDeploy') break;
  await sleep(100);
}
const before = await requests();
const t0 = performance.now();
await fetch(`http://127.0.0.1:${healthPort}/debug/clock`, { method: 'POST', body: JSON.stringify({ now: '2025-12-15T00:00:00Z' }) });
let issuedAt = 0;
for (;;) {
  const c = await client.get<CertView>(`${base}/certificates/site`);
  if (!issuedAt && c?.status?.revision === 2) issuedAt = performance.now();
  if (c?.status?.revision === 2 && allDeployed(c)) break;
  await sleep(25);
}
const done = performance.now();
const after = await requests();
operator.kill('SIGTERM');
await new Promise((r) => operator.once('exit', r));
const per: Record<string, number> = {};
for (const [verb, count] of Object.entries(after)) per[verb] = Math.round(((count - (before[verb] ?? 0)) / n) * 100) / 100;
console.log(JSON.stringify({
  benchmark: 'rollout', targets: n, workers: Number(values.workers),
  secondsClockMoveToIssued: Math.round((issuedAt - t0)) / 1000,
  secondsIssuedToLastTargetDeployed: Math.round((done - issuedAt)) / 1000,
  apiRequestsPerTarget: per,
}));
if (ownCluster) execFileSync('bash', [script, 'down'], { env: clusterEnv, stdio: 'ignore' });
else kubectl('delete', 'certificates,hostingpackages,deploymenttargets', '--all', '-n', ns, '--wait=false');
rmSync(work, { recursive: true, force: true });
