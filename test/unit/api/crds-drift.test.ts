// The CRD YAML is generated (architecture section 1): crds/, the chart's charts/certhost/crds/ and the
// kustomize base config/crd/bases/ must be exactly what the generator makes from src/api. Fix a
// failure with `npm run generate`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { crdDirectories, generateCrds, repositoryRoot } from '../../../src/api/generate-crds.ts';

const kindFiles = ['certhost.io_certificates.yaml', 'certhost.io_hostingpackages.yaml', 'certhost.io_deploymenttargets.yaml'];

describe('generated CRDs drift (crds/, chart, kustomize base)', () => {
  const files = generateCrds();

  it('generates one file per kind in each of crds/, charts/certhost/crds/ and config/crd/bases/', () => {
    assert.deepEqual([...crdDirectories], ['crds', 'charts/certhost/crds', 'config/crd/bases']);
    assert.deepEqual(files.map((f) => f.path), crdDirectories.flatMap((dir) => kindFiles.map((k) => `${dir}/${k}`)));
  });

  it('the chart and kustomize copies are byte-identical to crds/', () => {
    for (const k of kindFiles) {
      const canonical = files.find((f) => f.path === `crds/${k}`)?.content;
      assert.ok(canonical !== undefined);
      for (const dir of crdDirectories) assert.equal(files.find((f) => f.path === `${dir}/${k}`)?.content, canonical, `${dir}/${k}`);
    }
  });

  for (const f of files) {
    it(`${f.path} is what npm run generate makes`, () => {
      const path = join(repositoryRoot, f.path);
      assert.ok(existsSync(path), `${f.path} is missing: run npm run generate`);
      const committed = readFileSync(path, 'utf8');
      assert.ok(committed === f.content, `${f.path} differs from the generator's output: run npm run generate`);
    });
  }

  for (const dir of crdDirectories) {
    it(`${dir}/ holds no stale generated files`, () => {
      const present = readdirSync(join(repositoryRoot, dir)).filter((n) => n.endsWith('.yaml')).map((n) => `${dir}/${n}`);
      assert.deepEqual(present.sort(), files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path).sort());
    });
  }

  it('config/crd/kustomization.yaml lists exactly the generated bases', () => {
    const kustomization = load(readFileSync(join(repositoryRoot, 'config/crd/kustomization.yaml'), 'utf8')) as { resources?: unknown };
    assert.deepEqual(kustomization.resources, kindFiles.map((k) => `bases/${k}`));
  });

  it('the generated YAML parses back to the same objects (no anchors, no lossy quoting)', () => {
    for (const f of files) {
      assert.ok(!/[&*]ref_\d+/.test(f.content), `${f.path} uses YAML anchors`);
      const doc = load(f.content.replace(/^#.*\n---\n/, ''));
      assert.equal((doc as { kind?: unknown }).kind, 'CustomResourceDefinition');
    }
  });

  it('is deterministic', () => {
    assert.deepEqual(generateCrds(), files);
  });
});
