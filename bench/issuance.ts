// Benchmark (not a test): N Certificates created at once against a real kube-apiserver, issued by the
// operator running as its own process. Prints one JSON object:
//   npm run bench -- issuance --n 1000 --key ECDSA [--credits]
// Uses $KUBECONFIG when CERTHOST_USE_EXISTING_CLUSTER=true, else a private local control plane.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../src/runtime/kube-client.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    key: { type: 'string', default: 'ECDSA' },
    credits: { type: 'boolean', default: false },
    workers: { type: 'string', default: '8' },
  },
  allowPositionals: true,
});
const n = Number(values.n);
const algorithm = values.key === 'RSA' ? 'RSA' : 'ECDSA';
const root = new URL('..', import.meta.url).pathname;
const script = join(root, 'hack/local-cluster.sh');

const work = mkdtempSync(join(tmpdir(), 'certhost-bench-'));
let kubeconfig = process.env.KUBECONFIG ?? '';
const ownCluster = process.env.CERTHOST_USE_EXISTING_CLUSTER !== 'true';
const clusterEnv = { ...process.env, CERTHOST_LOCAL_DIR: join(work, 'cluster'), CERTHOST_WATCH_PID: String(process.pid) };
if (ownCluster) {
  kubeconfig = execFileSync('bash', [script, 'up'], { env: clusterEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop() ?? '';
}
const kubectl = (...args: string[]): void => void execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: 'ignore' });
kubectl('apply', '-f', join(root, 'crds'));
kubectl('wait', '--for=condition=Established', '-f', join(root, 'crds'), '--timeout=60s');
const ns = `bench-${Date.now().toString(36)}`;
kubectl('create', 'namespace', ns);

const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const client = new KubeClient(kc, { qps: 2000, burst: 2000 });
const product = { brand: 'Bench', type: 'DV', domainType: 'single', grade: 'standard' };

const configFile = join(work, 'config.yaml');
writeFileSync(configFile, `caSecret:\n  name: certhost-ca\n  namespace: ${ns}\nissuers:\n  default:\n    creditsRequired: ${values.credits ? 'true' : 'false'}\n`);
const metricsPort = 18000 + Math.floor(Math.random() * 1000);
const operator = spawn(process.execPath, [join(root, 'src/main.ts'), '--kubeconfig', kubeconfig, '--namespace', ns, '--config', configFile,
  '--clock=fake', '--fake-now=2025-01-01T00:00:00Z', `--metrics-bind-address=127.0.0.1:${metricsPort}`, '--health-probe-bind-address=0',
  '--log-level=warn', '--workers', values.workers, '--qps', '1000', '--burst', '2000'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' } });
// Never leave the operator behind, whatever happens to the benchmark.
process.on('exit', () => operator.kill('SIGKILL'));

async function metric(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^certhost_kube_api_requests_total\{verb="(\w+)",resource="([^"]+)",code="(\d+)"\} (\d+)/gm)) {
    const [, verb, , , count] = m;
    out[verb ?? '?'] = (out[verb ?? '?'] ?? 0) + Number(count);
  }
  return out;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 200; i++) {
  try {
    await metric();
    break;
  } catch {
    await sleep(100);
  }
}
if (values.credits) {
  await client.create(`/apis/certhost.io/v1alpha1/namespaces/${ns}/hostingpackages`, { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name: 'bench' }, spec: { type: 'Certificate', product, quantity: n } });
}
const before = await metric();
const created = new Map<string, number>();
const ready = new Map<string, number>();
const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (next < n) {
    const i = next++;
    const name = `c${i}`;
    created.set(name, performance.now());
    await client.create(`/apis/certhost.io/v1alpha1/namespaces/${ns}/certificates`, {
      apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate', metadata: { name },
      spec: { domains: [`c${i}.bench.example.com`], product, secretName: `c${i}-tls`, privateKey: { algorithm, size: algorithm === 'RSA' ? 2048 : 256 } },
    });
  }
}));
const deadline = performance.now() + 30 * 60_000;
while (ready.size < n && performance.now() < deadline) {
  const list = await client.listAll<{ metadata: { name: string }; status?: { state?: string } }>(`/apis/certhost.io/v1alpha1/namespaces/${ns}/certificates`);
  const now = performance.now();
  for (const c of list.items) if (c.status?.state === 'Issued' && !ready.has(c.metadata.name)) ready.set(c.metadata.name, now);
  await sleep(250);
}
const elapsed = (performance.now() - t0) / 1000;
const after = await metric();
const rss = peakRssMb(operator.pid ?? 0);
operator.kill('SIGTERM');
await new Promise((r) => operator.once('exit', r));
const latencies = [...ready].map(([name, at]) => (at - (created.get(name) ?? at)) / 1000).sort((a, b) => a - b);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const perIssuance: Record<string, number> = {};
for (const [verb, count] of Object.entries(after)) perIssuance[verb] = Math.round(((count - (before[verb] ?? 0)) / Math.max(1, ready.size)) * 100) / 100;
const writes = ['create', 'update', 'patch', 'delete'].reduce((s, v) => s + (perIssuance[v] ?? 0), 0);
console.log(JSON.stringify({
  benchmark: 'issuance', n, key: algorithm === 'RSA' ? 'RSA-2048' : 'ECDSA-P256', credits: values.credits, workers: Number(values.workers),
  issued: ready.size, seconds: Math.round(elapsed * 100) / 100, perSecond: Math.round((ready.size / elapsed) * 10) / 10,
  createToReadySeconds: { p50: pct(0.5), p95: pct(0.95), max: latencies[latencies.length - 1] ?? NaN },
  operatorPeakRssMB: Math.round(rss), apiRequestsPerIssuance: perIssuance, apiWritesPerIssuance: Math.round(writes * 100) / 100,
}));
if (ownCluster) execFileSync('bash', [script, 'down'], { env: clusterEnv, stdio: 'ignore' });
else kubectl('delete', 'certificates,hostingpackages', '--all', '-n', ns, '--wait=false');
rmSync(work, { recursive: true, force: true });
