// The control plane shared by one test run (test/integration and test/e2e): started by
// root-hooks.ts through hack/local-cluster.sh, or an existing cluster when
// CERTHOST_USE_EXISTING_CLUSTER=true. Tests reach it through the functions exported here.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';

const execFileAsync = promisify(execFile);

export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const localClusterScript = join(repoRoot, 'hack', 'local-cluster.sh');
export const crdDir: string = join(repoRoot, 'crds');

/** How the run got its cluster. */
type ClusterSource =
  | { kind: 'local'; dir: string; kubeconfig: string; binDir: string | undefined }
  | { kind: 'existing'; kubeconfig: string };

let current: ClusterSource | undefined;

function requireCluster(): ClusterSource {
  if (current === undefined) {
    throw new Error(
      'no control plane: run mocha with --require test/integration/harness/root-hooks.ts ' +
        '(or --config test/integration/mocharc.json)',
    );
  }
  return current;
}

/** Path of the admin kubeconfig of this run. */
export function kubeconfigPath(): string {
  return requireCluster().kubeconfig;
}

/** A fresh KubeConfig for the admin identity of this run. */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** kubectl to use: KUBEBUILDER_ASSETS/kubectl, the pinned build, else kubectl on PATH. */
export function kubectlPath(): string {
  const candidates: string[] = [];
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets !== undefined && assets !== '') candidates.push(join(assets, 'kubectl'));
  if (current?.kind === 'local' && current.binDir !== undefined) candidates.push(join(current.binDir, 'kubectl'));
  return candidates.find((p) => existsSync(p)) ?? 'kubectl';
}

/** Runs kubectl against this run's cluster; rejects with its stderr on a non-zero exit. */
export async function kubectl(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(kubectlPath(), ['--kubeconfig', kubeconfigPath(), ...args], {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** The Kubernetes version the started kube-apiserver must report, when this run knows it. */
export function expectedServerVersion(): string | undefined {
  const c = requireCluster();
  if (c.kind !== 'local' || c.binDir === undefined) return undefined;
  const out = spawnSync(join(c.binDir, 'kube-apiserver'), ['--version'], { encoding: 'utf8' });
  // "Kubernetes v1.37.2"
  return /Kubernetes (v\S+)/.exec(out.stdout)?.[1];
}

/** The version pinned in hack/tools/kubernetes/go.mod. */
export function pinnedKubernetesVersion(): string {
  const gomod = readFileSync(join(repoRoot, 'hack', 'tools', 'kubernetes', 'go.mod'), 'utf8');
  const m = /^require k8s\.io\/kubernetes (v\S+)$/m.exec(gomod);
  if (m?.[1] === undefined) throw new Error('no "require k8s.io/kubernetes vX.Y.Z" line in hack/tools/kubernetes/go.mod');
  return m[1];
}

export function usesExistingCluster(): boolean {
  return requireCluster().kind === 'existing';
}

/** The CRD files of the repository (crds/*.yaml), sorted. */
export function crdFiles(): string[] {
  if (!existsSync(crdDir)) return [];
  return readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(crdDir, f));
}

function readStateBinDir(dir: string): string | undefined {
  const state = join(dir, 'state.env');
  if (!existsSync(state)) return undefined;
  return /^BIN_DIR='([^']*)'$/m.exec(readFileSync(state, 'utf8'))?.[1];
}

/** Starts this run's control plane (or adopts an existing one). Idempotent. */
export async function startCluster(): Promise<void> {
  if (current !== undefined) return;
  if (process.env['CERTHOST_USE_EXISTING_CLUSTER'] === 'true') {
    const kubeconfig = process.env['KUBECONFIG'];
    if (kubeconfig === undefined || kubeconfig === '' || !existsSync(kubeconfig)) {
      throw new Error('CERTHOST_USE_EXISTING_CLUSTER=true needs KUBECONFIG to name an existing kubeconfig file');
    }
    current = { kind: 'existing', kubeconfig };
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'certhost-test-cluster-'));
  // Registered before the start, so that Ctrl-C during a long first build still cleans up.
  current = { kind: 'local', dir, kubeconfig: join(dir, 'kubeconfig'), binDir: undefined };
  installSignalHandlers();
  const kubeconfig = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(localClusterScript, ['up'], {
      // The script's own watchdog stops the control plane if this process dies without cleaning up.
      env: { ...process.env, CERTHOST_LOCAL_DIR: dir, CERTHOST_WATCH_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (process.env['CERTHOST_TEST_VERBOSE'] === 'true') process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && path !== '' && existsSync(path)) resolvePromise(path);
      else reject(new Error(`hack/local-cluster.sh up failed (exit ${String(code)}):\n${stderr}`));
    });
  });
  current = { kind: 'local', dir, kubeconfig, binDir: readStateBinDir(dir) };
  // Child processes of tests (kubectl, helm, the operator) find the cluster the usual way.
  process.env['KUBECONFIG'] = kubeconfig;
}

/** Stops what startCluster started (never an existing cluster). Safe to call more than once. */
export function stopCluster(): void {
  const c = current;
  if (c?.kind !== 'local') return;
  current = undefined;
  const res = spawnSync(localClusterScript, ['down'], {
    env: { ...process.env, CERTHOST_LOCAL_DIR: c.dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.status !== 0) {
    process.stderr.write(`hack/local-cluster.sh down failed (exit ${String(res.status)}): ${res.stderr}\n`);
    process.stderr.write(`logs kept in ${c.dir}\n`);
    return;
  }
  if (process.env['CERTHOST_KEEP_CLUSTER_LOGS'] === 'true') {
    process.stderr.write(`control-plane logs kept in ${c.dir}\n`);
  } else {
    rmSync(c.dir, { recursive: true, force: true });
  }
}

let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the test control plane\n`);
      stopCluster();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  // Last resort when mocha exits without running the after-all hook (spawnSync is allowed here).
  process.once('exit', () => stopCluster());
}

/** Applies every crds/*.yaml and waits until each CRD is Established. Returns the files applied. */
export async function installCrds(): Promise<string[]> {
  const files = crdFiles();
  for (const file of files) {
    // Server-side apply: large CRD schemas overflow the last-applied annotation of client-side apply.
    await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=certhost-tests', '-f', file]);
  }
  for (const file of files) {
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', file]);
  }
  return files;
}
