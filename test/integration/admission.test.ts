// What the CRD schema can reject, the real kube-apiserver rejects at admission (OpenAPI and CEL), with
// the message a person reads; every valid sample is accepted; kubectl shows the printer columns.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { repoRoot } from './harness/cluster.ts';
import { useTestNamespace } from './harness/namespace.ts';
import { adminClient } from './support/operator.ts';
import { ApiError, resourcePath } from '../../src/runtime/kube-client.ts';

interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }

const plural: Record<string, string> = { Certificate: 'certificates', HostingPackage: 'hostingpackages', DeploymentTarget: 'deploymenttargets' };
const invalidDir = join(repoRoot, 'config/samples/invalid');
const samplesDir = join(repoRoot, 'config/samples');

function collection(m: Manifest, ns: string): string {
  return resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: plural[m.kind] ?? 'unknown', namespace: ns });
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError && e.code === 422) return e.message;
    throw e;
  }
  return '(accepted)';
}

describe('admission: OpenAPI and CEL rules on a real kube-apiserver', function () {
  this.timeout(120_000);
  const ns = useTestNamespace('admission');

  it('every sample of config/samples is accepted', async () => {
    const c = adminClient();
    for (const f of readdirSync(samplesDir).filter((x) => x.endsWith('.yaml') && x !== 'kustomization.yaml')) {
      for (const doc of loadAll(readFileSync(join(samplesDir, f), 'utf8')) as Manifest[]) {
        if (!doc || !plural[doc.kind]) continue;
        await c.create(collection(doc, ns.name), { ...doc, metadata: { ...doc.metadata, namespace: ns.name } });
      }
    }
  });

  const files = readdirSync(invalidDir).filter((f) => f.endsWith('.yaml')).sort();
  it('there is an invalid sample per admission rule', () => assert.ok(files.length >= 40, `${files.length} invalid samples`));
  for (const f of files) {
    const text = readFileSync(join(invalidDir, f), 'utf8');
    const expected = /^# expected-error: (.*)$/m.exec(text)?.[1]?.trim() ?? '';
    const update = /^# mode: update/m.test(text);
    it(`rejects ${f.replace(/\.yaml$/, '')}: "${expected.slice(0, 80)}${expected.length > 80 ? '…' : ''}"`, async () => {
      assert.ok(expected.length > 0, 'the sample names its expected message');
      const c = adminClient();
      const docs = (loadAll(text) as Manifest[]).filter(Boolean).map((d) => ({ ...d, metadata: { ...d.metadata, namespace: ns.name } }));
      const [first, second] = docs;
      assert.ok(first);
      let message: string;
      if (update) {
        assert.ok(second);
        await c.create(collection(first, ns.name), first);
        const path = `${collection(second, ns.name)}/${second.metadata.name}`;
        const current = await c.get<Manifest & { metadata: { resourceVersion: string } }>(path);
        message = await rejection(c.replace(path, { ...second, metadata: { ...second.metadata, resourceVersion: current?.metadata.resourceVersion } }));
      } else {
        message = await rejection(c.create(collection(first, ns.name), first));
      }
      assert.ok(message.includes(expected), `expected the API server to say:\n  ${expected}\nit said:\n  ${message}`);
    });
  }
});
