// Benchmark (not a test): one hosted renewal rolled out automatically to N Secret targets, against a
// real kube-apiserver, the operator running as its own process on the test clock. Prints one JSON object:
//   npm run bench -- rollout --targets 100
// Uses $KUBECONFIG when CERTHOST_USE_EXISTING_CLUSTER=true, else a private local control plane.
import { parseArgs } from 'node:util';
import { benchEnvironment, perUnit } from './bench-environment.ts';

const { values } = parseArgs({ options: { targets: { type: 'string', default: '10' }, workers: { type: 'string', default: '8' } }, allowPositionals: true });
const n = Number(values.targets);
const env = await benchEnvironment({ config: '', workers: values.workers });
const { client, healthPort } = env;
const base = `/apis/certhost.io/v1alpha1/namespaces/${env.namespace}`;
const product = { brand: 'Bench', type: 'DV', domainType: 'single', grade: 'standard' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
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
const before = await env.apiRequests();
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
const after = await env.apiRequests();
await env.done();
const per = perUnit(before, after, n);
console.log(JSON.stringify({
  benchmark: 'rollout', targets: n, workers: Number(values.workers),
  secondsClockMoveToIssued: Math.round((issuedAt - t0)) / 1000,
  secondsIssuedToLastTargetDeployed: Math.round((done - issuedAt)) / 1000,
  apiRequestsPerTarget: per,
}));
