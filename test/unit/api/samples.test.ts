// config/samples: every valid manifest passes the CRD schema and all its CEL rules; every manifest in
// config/samples/invalid is rejected by exactly the rule its header names (or, for schema bounds, by the
// structural check), and every CEL rule has such a manifest. The integration tests apply the same files
// to a real apiserver.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { crdDefinitions } from '../../../src/api/crds.ts';
import { repositoryRoot } from '../../../src/api/generate-crds.ts';
import type { JSONSchemaProps } from '../../../src/api/schema.ts';
import { allRules, ruleFailures, structuralProblems, withDefaults } from './openapi-check.ts';

const samplesDir = join(repositoryRoot, 'config', 'samples');
const invalidDir = join(samplesDir, 'invalid');

interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}

function schemaFor(doc: Manifest): JSONSchemaProps {
  assert.equal(doc.apiVersion, 'certhost.io/v1alpha1');
  const crd = crdDefinitions().find((c) => c.spec.names.kind === doc.kind);
  assert.ok(crd !== undefined, `unknown kind ${String(doc.kind)}`);
  const v = crd.spec.versions[0];
  assert.ok(v !== undefined);
  return v.schema.openAPIV3Schema;
}

function docs(path: string): Manifest[] {
  return loadAll(readFileSync(path, 'utf8')).filter((d) => d !== null && d !== undefined) as Manifest[];
}

const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml').sort();

function celMessages(): Set<string> {
  return new Set(crdDefinitions().flatMap((c) => allRules(c.spec.versions[0]?.schema.openAPIV3Schema ?? {}).map((r) => r.message)));
}

describe('config/samples (valid)', () => {
  const files = yamlFiles(samplesDir);

  it('kustomization.yaml lists exactly the sample manifests', () => {
    const [k] = loadAll(readFileSync(join(samplesDir, 'kustomization.yaml'), 'utf8')) as { kind?: string; resources?: string[] }[];
    assert.equal(k?.kind, 'Kustomization');
    assert.deepEqual([...(k?.resources ?? [])].sort(), files);
  });

  it('there is a sample of every kind and every HostingPackage and DeploymentTarget type', () => {
    const all = files.flatMap((f) => docs(join(samplesDir, f))) as (Manifest & { spec?: { type?: string } })[];
    const types = (kind: string): string[] => all.filter((d) => d.kind === kind).map((d) => d.spec?.type ?? '').sort();
    assert.deepEqual(types('HostingPackage'), ['Certificate', 'Deployment', 'Hosting']);
    assert.deepEqual(types('DeploymentTarget'), ['CDN', 'Ingress', 'SLB', 'Secret', 'WAF']);
    assert.ok(all.filter((d) => d.kind === 'Certificate').length >= 4);
  });

  for (const file of files) {
    it(`${file} passes the schema and every CEL rule`, () => {
      const ds = docs(join(samplesDir, file));
      assert.equal(ds.length, 1, 'one manifest per file');
      for (const d of ds) {
        const schema = schemaFor(d);
        assert.deepEqual(structuralProblems(schema, withDefaults(schema, d)), []);
        assert.deepEqual(ruleFailures(schema, d).map((r) => `${r.path}: ${r.message} (${String(r.result)})`), []);
        // The same object as an update of itself passes the transition rules too.
        assert.deepEqual(ruleFailures(schema, d, d), []);
      }
    });
  }

  it('references between samples resolve (targets, package selector)', () => {
    const all = files.flatMap((f) => docs(join(samplesDir, f))) as (Manifest & {
      metadata: { name: string; labels?: Record<string, string> };
      spec: { targets?: { name: string }[]; hosting?: { packageSelector?: { matchLabels?: Record<string, string> } } };
    })[];
    const targets = new Set(all.filter((d) => d.kind === 'DeploymentTarget').map((d) => d.metadata.name));
    for (const c of all.filter((d) => d.kind === 'Certificate')) {
      for (const t of c.spec.targets ?? []) assert.ok(targets.has(t.name), `${c.metadata.name} → ${t.name}`);
      const sel = c.spec.hosting?.packageSelector?.matchLabels;
      if (sel !== undefined) {
        const matching = all.filter((d) => d.kind === 'HostingPackage' && Object.entries(sel).every(([k, v]) => d.metadata.labels?.[k] === v));
        assert.ok(matching.length > 0, `${c.metadata.name}: no package matches its selector`);
      }
    }
  });
});

describe('config/samples/invalid', () => {
  const files = yamlFiles(invalidDir);
  const messages = celMessages();
  const expectations = new Map<string, { expected: string; update: boolean }>();
  for (const f of files) {
    const text = readFileSync(join(invalidDir, f), 'utf8');
    const m = /^# expected-error: (.+)$/m.exec(text);
    expectations.set(f, { expected: m?.[1] ?? '', update: /^# mode: update\b/m.test(text) });
  }

  for (const file of files) {
    it(`${file} is rejected with the message its header names`, () => {
      const e = expectations.get(file);
      assert.ok(e !== undefined && e.expected !== '', 'header "# expected-error: …" missing');
      const ds = docs(join(invalidDir, file));
      assert.equal(ds.length, e.update ? 2 : 1);
      const schema = schemaFor(ds[0] as Manifest);
      let old: Manifest | undefined;
      if (e.update) {
        old = ds[0];
        assert.deepEqual(structuralProblems(schema, withDefaults(schema, old)), [], 'the first document is valid');
        assert.deepEqual(ruleFailures(schema, old), [], 'the first document is valid');
      }
      const obj = ds[ds.length - 1] as Manifest;
      const structural = structuralProblems(schema, withDefaults(schema, obj));
      if (messages.has(e.expected)) {
        // A CEL rejection: structurally fine, and exactly this one rule fails (one mistake, one message).
        assert.deepEqual(structural, []);
        const failures = ruleFailures(schema, obj, old);
        assert.deepEqual(failures.map((f) => f.message), [e.expected]);
        assert.equal(failures[0]?.result, false, 'the rule evaluates to false (not an evaluation error)');
      } else {
        assert.ok(structural.some((p) => p.message.includes(e.expected)), JSON.stringify(structural));
      }
    });
  }

  it('every CEL rule has an invalid sample', () => {
    const covered = new Set([...expectations.values()].map((e) => e.expected));
    const missing = [...messages].filter((m) => !covered.has(m));
    assert.deepEqual(missing, []);
  });
});
