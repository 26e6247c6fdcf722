// The operator as a real process (node src/main.ts), for what only a process can show: SIGKILL between
// steps, two replicas and leader election, a cut watch. The test clock is driven over /debug/clock.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigPath, repoRoot } from '../harness/cluster.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface OperatorProcess {
  child: ChildProcess;
  healthPort: number;
  logs: string[];
  /** Resolves with the signal or exit code when the process ends. */
  exited: Promise<string>;
  setClock(now: string): Promise<void>;
  readyz(): Promise<{ ok: boolean; leader: boolean; identity: string } | null>;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export interface ProcessOptions {
  namespace: string;
  fakeNow: string;
  failpoints?: string[];
  leaderElect?: boolean;
  kubeconfig?: string;
  extraArgs?: string[];
}

/** How long a started process may take to serve /readyz ok (informers synced) on a slow machine. */
const readyTimeoutMs = 60_000;

export async function startOperatorProcess(o: ProcessOptions): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'certhost-op-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, `caSecret:\n  name: certhost-ca\n  namespace: ${o.namespace}\n`);
  const args = [
    join(repoRoot, 'src/main.ts'), '--kubeconfig', o.kubeconfig ?? kubeconfigPath(), '--namespace', o.namespace, '--config', configFile,
    '--clock=fake', `--fake-now=${o.fakeNow}`, '--metrics-bind-address=0', `--health-probe-bind-address=127.0.0.1:${healthPort}`,
    '--log-level=info', ...(o.leaderElect ? ['--leader-elect'] : []), ...(o.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, POD_NAMESPACE: o.namespace, CERTHOST_FAILPOINTS: (o.failpoints ?? []).join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (b: Buffer): void => {
    for (const line of b.toString('utf8').split('\n')) if (line) logs.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const base = `http://127.0.0.1:${healthPort}`;
  const readyz = async (): Promise<{ ok: boolean; leader: boolean; identity: string } | null> => {
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
      return (await res.json()) as { ok: boolean; leader: boolean; identity: string };
    } catch {
      return null;
    }
  };
  // Wait until it serves /readyz ok (informers synced). A process with failpoints armed may kill itself
  // before that (its controllers start before the health server listens): the caller awaits `exited`.
  // Any other end before ready, or no readiness within the deadline, fails here with the process's log.
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const lastLogs = (): string => logs.slice(-30).join('\n');
  const deadline = performance.now() + readyTimeoutMs;
  for (;;) {
    if (ended()) {
      if ((o.failpoints ?? []).length > 0 && child.signalCode === 'SIGKILL') break;
      throw new Error(`the operator process (${o.namespace}) ended (${child.signalCode ?? `exit code ${String(child.exitCode)}`}) before it became ready; its last log lines:\n${lastLogs()}`);
    }
    if ((await readyz())?.ok) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the operator process (${o.namespace}) did not become ready (GET /readyz ok) within ${readyTimeoutMs / 1000} s; its last log lines:\n${lastLogs()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, healthPort, logs, exited, readyz,
    async setClock(now: string): Promise<void> {
      const res = await fetch(`${base}/debug/clock`, { method: 'POST', body: JSON.stringify({ now }) });
      if (res.status !== 200) throw new Error(`/debug/clock answered ${res.status}: ${await res.text()}`);
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<string> {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
