// The shape of the generated CRDs: names, printer columns, structural schemas with descriptions and
// bounds, and CEL rules that each carry a message and stay inside the subset the unit tests can run.
import assert from 'node:assert/strict';
import { crdDefinitions, type CustomResourceDefinition } from '../../../src/api/crds.ts';
import type { JSONSchemaProps } from '../../../src/api/schema.ts';
import { compile } from './cel-subset.ts';
import { allRules, walkSchema } from './openapi-check.ts';

function schemaOf(crd: CustomResourceDefinition): JSONSchemaProps {
  const v = crd.spec.versions[0];
  assert.ok(v !== undefined);
  return v.schema.openAPIV3Schema;
}

function byKind(kind: string): CustomResourceDefinition {
  const crd = crdDefinitions().find((c) => c.spec.names.kind === kind);
  assert.ok(crd !== undefined, kind);
  return crd;
}

/** Resolves a dotted path (".a.b") inside an object schema. */
function resolve(schema: JSONSchemaProps, fieldPath: string): JSONSchemaProps | undefined {
  let node: JSONSchemaProps | undefined = schema;
  for (const part of fieldPath.split('.').slice(1)) node = node?.properties?.[part];
  return node;
}

describe('CRD definitions', () => {
  const table: [string, string, string, string[]][] = [
    ['Certificate', 'certificates', 'hcert', ['State', 'Domain', 'Not After', 'Hosted', 'Age']],
    ['HostingPackage', 'hostingpackages', 'hpkg', ['Type', 'Total', 'Used', 'Reserved', 'Available', 'Age']],
    ['DeploymentTarget', 'deploymenttargets', 'dtarget', ['Type', 'Ready', 'Age']],
  ];
  for (const [kind, plural, shortName, columns] of table) {
    it(`${kind}: certhost.io/v1alpha1, namespaced, short name ${shortName}, category certhost, status subresource`, () => {
      const crd = byKind(kind);
      assert.equal(crd.metadata.name, `${plural}.certhost.io`);
      assert.equal(crd.spec.group, 'certhost.io');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.deepEqual(crd.spec.names.shortNames, [shortName]);
      assert.deepEqual(crd.spec.names.categories, ['certhost']);
      assert.equal(crd.spec.versions.length, 1);
      const v = crd.spec.versions[0];
      assert.ok(v !== undefined && v.name === 'v1alpha1' && v.served && v.storage);
      assert.deepEqual(v.subresources, { status: {} });
    });
    it(`${kind}: printer columns ${columns.join(', ')}`, () => {
      const v = byKind(kind).spec.versions[0];
      assert.ok(v !== undefined);
      assert.deepEqual(v.additionalPrinterColumns.filter((c) => (c.priority ?? 0) === 0).map((c) => c.name), columns);
      for (const c of v.additionalPrinterColumns) assert.ok(c.jsonPath.startsWith('.') && c.description.length > 0);
    });
  }

  it('printer columns point at fields of the schema', () => {
    for (const crd of crdDefinitions()) {
      const schema = schemaOf(crd);
      for (const c of crd.spec.versions[0]?.additionalPrinterColumns ?? []) {
        if (c.jsonPath.startsWith('.metadata.') || c.jsonPath.includes('[?(')) continue;
        const path = c.jsonPath.replace(/\[\d+\]$/, '');
        assert.ok(resolve(schema, path) !== undefined, `${crd.spec.names.kind} column ${c.name}: ${c.jsonPath}`);
      }
    }
  });

  it('Certificate columns read state, the domains, notAfter and hosting', () => {
    const cols = byKind('Certificate').spec.versions[0]?.additionalPrinterColumns ?? [];
    const path = (name: string): string | undefined => cols.find((c) => c.name === name)?.jsonPath;
    assert.equal(path('State'), '.status.state');
    assert.equal(path('Domain'), '.spec.domains[0]');
    assert.equal(path('Domains'), '.spec.domains');
    assert.equal(path('Not After'), '.status.current.notAfter');
    assert.equal(path('Hosted'), '.spec.hosting.enabled');
  });
});

describe('CRD schemas', () => {
  for (const crd of crdDefinitions()) {
    const kind = crd.spec.names.kind;
    const schema = schemaOf(crd);

    it(`${kind}: structural (every node typed, every object closed, no preserve-unknown-fields)`, () => {
      walkSchema(schema, (node, path) => {
        assert.ok(node.type !== undefined, `${path} has no type`);
        if (node.type === 'object' && path !== 'metadata') {
          assert.ok(node.properties !== undefined || node.additionalProperties !== undefined, `${path} is an open object`);
        }
        if (node.type === 'array') assert.ok(node.items !== undefined && node['x-kubernetes-list-type'] !== undefined, path);
        assert.ok(!('x-kubernetes-preserve-unknown-fields' in node), path);
      });
      assert.deepEqual(schema.required, ['spec']);
    });

    it(`${kind}: every field has a description`, () => {
      walkSchema(schema, (node, path) => {
        if (path === 'metadata' || path.endsWith('.*')) return;
        assert.ok(typeof node.description === 'string' && node.description.length > 0, `${path} has no description`);
      });
    });

    it(`${kind}: every list and string under spec is bounded (CEL cost, object size)`, () => {
      walkSchema(schema, (node, path) => {
        if (!path.startsWith('spec')) return;
        if (node.type === 'array') assert.ok(node.maxItems !== undefined, `${path} has no maxItems`);
        if (node.type === 'string' && node.format !== 'date-time') assert.ok(node.maxLength !== undefined, `${path} has no maxLength`);
        if (node.additionalProperties !== undefined) assert.ok(node.maxProperties !== undefined, `${path} has no maxProperties`);
      });
    });

    it(`${kind}: list-map keys are required scalar fields`, () => {
      walkSchema(schema, (node, path) => {
        if (node['x-kubernetes-list-type'] !== 'map') return;
        const keys = node['x-kubernetes-list-map-keys'] ?? [];
        assert.ok(keys.length > 0, path);
        for (const k of keys) {
          assert.ok(node.items?.required?.includes(k), `${path}: key ${k} is not required`);
          assert.ok(['string', 'integer'].includes(node.items?.properties?.[k]?.type ?? ''), `${path}: key ${k} is not a scalar`);
        }
      });
    });

    it(`${kind}: status.conditions is a list-map keyed by type, in the metav1.Condition shape`, () => {
      const c = schema.properties?.['status']?.properties?.['conditions'];
      assert.ok(c !== undefined);
      assert.equal(c['x-kubernetes-list-type'], 'map');
      assert.deepEqual(c['x-kubernetes-list-map-keys'], ['type']);
      assert.deepEqual(c.items?.required, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
      assert.deepEqual(c.items?.properties?.['status']?.enum, ['True', 'False', 'Unknown']);
    });

    it(`${kind}: every CEL rule has a message that reads like a sentence`, () => {
      for (const r of allRules(schema)) {
        assert.ok(r.message.length >= 30 && r.message.length <= 300, `${r.path}: ${r.message}`);
        assert.match(r.message, /^[A-Zs*].*\.$/, `${r.path}: ${r.message}`);
      }
    });

    it(`${kind}: every CEL rule parses (within the subset the unit tests evaluate)`, () => {
      for (const r of allRules(schema)) assert.doesNotThrow(() => compile(r.rule), r.rule);
    });

    it(`${kind}: every fieldPath names a field of the schema`, () => {
      walkSchema(schema, (node, path) => {
        for (const r of node['x-kubernetes-validations'] ?? []) {
          if (r.fieldPath === undefined) continue;
          assert.ok(resolve(node, r.fieldPath) !== undefined, `${path}: fieldPath ${r.fieldPath}`);
        }
      });
    });

    it(`${kind}: rules that list-iterate or index only touch bounded lists`, () => {
      walkSchema(schema, (node, path) => {
        for (const r of node['x-kubernetes-validations'] ?? []) {
          for (const m of r.rule.matchAll(/self\.(\w+)\.(exists|all|size)\(|self\.(\w+)\[/g)) {
            const field = m[1] ?? m[3] ?? '';
            const target = node.properties?.[field];
            assert.ok(target?.maxItems !== undefined, `${path}: ${r.rule} iterates ${field} without maxItems`);
          }
        }
      });
    });
  }

  it('messages are unique within a kind except for shared schemas', () => {
    for (const crd of crdDefinitions()) {
      const rules = allRules(schemaOf(crd));
      const seen = new Map<string, string>();
      for (const r of rules) {
        const other = seen.get(r.message);
        if (other !== undefined) assert.equal(other.replace(/\[\*\]$/, ''), r.path.replace(/\[\*\]$/, ''), r.message);
        seen.set(r.message, r.path);
      }
    }
  });
});
