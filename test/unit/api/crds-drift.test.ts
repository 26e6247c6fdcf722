// crds/ is generated (architecture section 1): the committed YAML must be exactly what the generator
// makes from src/api. Fix a failure with `npm run generate`.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { generateCrds, repositoryRoot } from '../../../src/api/generate-crds.ts';

describe('crds/ drift', () => {
  const files = generateCrds();

  it('generates one file per kind', () => {
    assert.deepEqual(files.map((f) => f.path), [
      'crds/certhost.io_certificates.yaml',
      'crds/certhost.io_hostingpackages.yaml',
      'crds/certhost.io_deploymenttargets.yaml',
    ]);
  });

  for (const f of files) {
    it(`${f.path} is what npm run generate makes`, () => {
      const committed = readFileSync(join(repositoryRoot, f.path), 'utf8');
      assert.ok(committed === f.content, `${f.path} differs from the generator's output: run npm run generate`);
    });
  }

  it('crds/ holds no stale generated files', () => {
    const present = readdirSync(join(repositoryRoot, 'crds')).filter((n) => n.endsWith('.yaml')).map((n) => `crds/${n}`);
    assert.deepEqual(present.sort(), files.map((f) => f.path).sort());
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
