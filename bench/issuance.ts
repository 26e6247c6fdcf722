// Benchmark (not a test): N Certificates created at once against a real kube-apiserver, issued by the
// operator running as its own process. Prints one JSON object:
//   npm run bench -- issuance --n 1000 --key ECDSA [--credits]
// Uses $KUBECONFIG when CERTHOST_USE_EXISTING_CLUSTER=true, else a private local control plane.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchEnvironment, perUnit } from './bench-environment.ts';

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
const env = await benchEnvironment({
  config: `issuers:\n  default:\n    creditsRequired: ${values.credits ? 'true' : 'false'}\n`, workers: values.workers,
  ...(process.env.BENCH_NODE_OPTIONS ? { nodeOptions: process.env.BENCH_NODE_OPTIONS } : {}),
});
const { client, namespace: ns } = env;
const product = { brand: 'Bench', type: 'DV', domainType: 'single', grade: 'standard' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (values.credits) {
  await client.create(`/apis/certhost.io/v1alpha1/namespaces/${ns}/hostingpackages`, { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name: 'bench' }, spec: { type: 'Certificate', product, quantity: n } });
}
const before = await env.apiRequests();
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
const after = await env.apiRequests();
const rss = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${env.operatorPid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
await env.done();
const latencies = [...ready].map(([name, at]) => (at - (created.get(name) ?? at)) / 1000).sort((a, b) => a - b);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const perIssuance = perUnit(before, after, ready.size);
const writes = ['create', 'update', 'patch', 'delete'].reduce((s, v) => s + (perIssuance[v] ?? 0), 0);
console.log(JSON.stringify({
  benchmark: 'issuance', n, key: algorithm === 'RSA' ? 'RSA-2048' : 'ECDSA-P256', credits: values.credits, workers: Number(values.workers),
  issued: ready.size, seconds: Math.round(elapsed * 100) / 100, perSecond: Math.round((ready.size / elapsed) * 10) / 10,
  createToReadySeconds: { p50: pct(0.5), p95: pct(0.95), max: latencies[latencies.length - 1] ?? NaN },
  operatorPeakRssMB: Math.round(rss), apiRequestsPerIssuance: perIssuance, apiWritesPerIssuance: Math.round(writes * 100) / 100,
}));
