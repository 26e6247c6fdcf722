// What every benchmark needs: a control plane (a private one, or $KUBECONFIG with
// CERTHOST_USE_EXISTING_CLUSTER=true), the CRDs, a fresh namespace, and the operator as its own process
// (`node dist/main.js`, built first) on the test clock with its metrics and health endpoints on loopback ports.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../src/runtime/kube-client.ts';

export interface BenchEnvironment {
  client: KubeClient;
  namespace: string;
  metricsPort: number;
  healthPort: number;
  operatorPid: number;
  /** Kubernetes API requests the operator made so far, by verb (its own counter). */
  apiRequests(): Promise<Record<string, number>>;
  done(): Promise<void>;
}

const root = new URL('..', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function benchEnvironment(o: { config: string; workers: string; nodeOptions?: string }): Promise<BenchEnvironment> {
  const work = mkdtempSync(join(tmpdir(), 'certhost-bench-'));
  const script = join(root, 'hack/local-cluster.sh');
  const ownCluster = process.env.CERTHOST_USE_EXISTING_CLUSTER !== 'true';
  const clusterEnv = { ...process.env, CERTHOST_LOCAL_DIR: join(work, 'cluster'), CERTHOST_WATCH_PID: String(process.pid) };
  const kubeconfig = ownCluster
    ? execFileSync('bash', [script, 'up'], { env: clusterEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop() ?? ''
    : process.env.KUBECONFIG ?? '';
  const kubectl = (...args: string[]): void => void execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: 'ignore' });
  kubectl('apply', '-f', join(root, 'crds'));
  kubectl('wait', '--for=condition=Established', '-f', join(root, 'crds'), '--timeout=60s');
  const namespace = `bench-${Date.now().toString(36)}`;
  kubectl('create', 'namespace', namespace);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new KubeClient(kc, { qps: 2000, burst: 2000 });

  const configFile = join(work, 'config.yaml');
  writeFileSync(configFile, `caSecret:\n  name: certhost-ca\n  namespace: ${namespace}\n${o.config}`);
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  // The production artifact (tsc's output), not src/ through Node's type stripping, which costs memory.
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'ignore' });
  const operator = spawn(process.execPath, [join(root, 'dist/main.js'), '--kubeconfig', kubeconfig, '--namespace', namespace, '--config', configFile,
    '--clock=fake', '--fake-now=2025-01-01T00:00:00Z', `--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${healthPort}`,
    '--log-level=warn', '--workers', o.workers, '--qps', '1000', '--burst', '2000'],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: o.nodeOptions ?? '' } });
  // Never leave the operator behind, whatever happens to the benchmark.
  process.on('exit', () => operator.kill('SIGKILL'));

  const apiRequests = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^certhost_kube_api_requests_total\{verb="(\w+)",resource="[^"]+",code="\d+"\} (\d+)/gm)) out[m[1] ?? '?'] = (out[m[1] ?? '?'] ?? 0) + Number(m[2]);
    return out;
  };
  for (let i = 0; i < 200; i++) {
    try {
      await apiRequests();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    client, namespace, metricsPort, healthPort, operatorPid: operator.pid ?? 0, apiRequests,
    async done(): Promise<void> {
      operator.kill('SIGTERM');
      await new Promise((r) => operator.once('exit', r));
      if (ownCluster) execFileSync('bash', [script, 'down'], { env: clusterEnv, stdio: 'ignore' });
      else kubectl('delete', 'certificates,hostingpackages,deploymenttargets', '--all', '-n', namespace, '--wait=false');
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Per-unit deltas of two request counts, rounded to hundredths. */
export function perUnit(before: Record<string, number>, after: Record<string, number>, units: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [verb, count] of Object.entries(after)) out[verb] = Math.round(((count - (before[verb] ?? 0)) / Math.max(1, units)) * 100) / 100;
  return out;
}
