// A fresh namespace for every test. There is no controller-manager in the local control plane, so
// a deleted namespace stays Terminating forever and nothing in it is garbage-collected: names are
// unique per test, deletion is best effort, and no test may rely on either happening.
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from './cluster.ts';
import { KubeClient } from '../../../src/runtime/kube-client.ts';

export interface TestNamespace {
  /** The namespace of the running test; throws before the first beforeEach. */
  readonly name: string;
}

let counter = 0;

/**
 * Deletes the certhost objects of a namespace (finalizers dropped: no operator may be running any
 * more), so an operator that watches all namespaces in a later test does not find them. The namespace
 * itself never finishes terminating here (no controller-manager), so its objects would stay forever.
 */
export async function removeCerthostObjects(namespace: string): Promise<void> {
  const client = new KubeClient(loadKubeConfig(), { qps: 1000, burst: 1000 });
  for (const plural of ['deploymenttargets', 'certificates', 'hostingpackages']) {
    const path = `/apis/certhost.io/v1alpha1/namespaces/${namespace}/${plural}`;
    try {
      const list = await client.list<{ metadata: { name: string; finalizers?: string[] } }>(path);
      for (const o of list.items) {
        if ((o.metadata.finalizers ?? []).length > 0) await client.patch(`${path}/${o.metadata.name}`, { metadata: { finalizers: null } });
        await client.delete(`${path}/${o.metadata.name}`);
      }
    } catch {
      // Best effort, like the namespace deletion below.
    }
  }
}

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
    await removeCerthostObjects(done);
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
