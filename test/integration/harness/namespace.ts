// A fresh namespace for every test. There is no controller-manager in the local control plane, so
// a deleted namespace stays Terminating forever and nothing in it is garbage-collected: names are
// unique per test, deletion is best effort, and no test may rely on either happening.
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from './cluster.ts';

export interface TestNamespace {
  /** The namespace of the running test; throws before the first beforeEach. */
  readonly name: string;
}

let counter = 0;

/** A DNS-1123 label, unique within and across runs: `<prefix>-<random>-<n>`. */
export function uniqueNamespaceName(prefix = 'test'): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test';
  counter += 1;
  return `${clean}-${randomBytes(4).toString('hex')}-${String(counter)}`;
}

/**
 * Call inside a `describe`: each test of it gets its own namespace, created in beforeEach (with the
 * given labels) and deleted best effort in afterEach.
 *
 *   const ns = useTestNamespace('cert');
 *   it('...', async () => { await api.createNamespacedSecret({ namespace: ns.name, body }); });
 */
export function useTestNamespace(prefix = 'test', labels: Record<string, string> = {}): TestNamespace {
  let name: string | undefined;
  beforeEach(async function () {
    name = undefined;
    const api = loadKubeConfig().makeApiClient(CoreV1Api);
    const candidate = uniqueNamespaceName(prefix);
    await api.createNamespace({
      body: {
        metadata: { name: candidate, labels: { 'certhost.io/test': 'true', ...labels } },
      },
    });
    name = candidate;
  });
  afterEach(async function () {
    // `name` stays readable for the test's other afterEach hooks; the next beforeEach replaces it.
    const done = name;
    if (done === undefined) return;
    try {
      await loadKubeConfig().makeApiClient(CoreV1Api).deleteNamespace({ name: done });
    } catch {
      // Best effort: the namespace name is never reused, and the cluster is thrown away after the run.
    }
  });
  return {
    get name(): string {
      if (name === undefined) throw new Error('the test namespace exists only inside a test (it/beforeEach/afterEach)');
      return name;
    },
  };
}
