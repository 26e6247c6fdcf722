// The plugin's exit status and messages for what goes wrong before it talks to a cluster.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explain } from '../../../src/cli/cluster-access.ts';
import { runPlugin } from '../../../src/cli/plugin.ts';
import { ApiError } from '../../../src/runtime/kube-client.ts';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPlugin(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('kubectl certhost exit status', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /kubectl certhost plan \[--days N\]/);
  });

  it('a usage error is one line on stderr and exit 1', async () => {
    const r = await run(['status']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: status needs exactly one certificate name/);
    assert.equal(r.out, '');
  });

  it('a missing kubeconfig is one line and exit 1', async () => {
    const r = await run(['overview', '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.deepEqual([r.code, r.err], [1, 'error: the kubeconfig /nonexistent/kubeconfig does not exist\n']);
  });

  it('a bad --config is one line and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certhost-cli-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'issuers: [1]\n');
    const r = await run(['plan', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: --config .*issuers must be a mapping\.\n$/);
  });

  it('explains API failures: no CRDs, forbidden, unreachable', () => {
    const server = 'https://127.0.0.1:6443';
    assert.match(explain(new ApiError(404, 'NotFound', 'GET /apis/certhost.io/v1alpha1/namespaces/a/certificates: the server could not find the requested resource'), server, 'list Certificates'),
      /the certhost CRDs are not installed/);
    assert.equal(explain(new ApiError(403, 'Forbidden', 'GET /apis/x: certificates is forbidden: User "bob" cannot list'), server, 'list Certificates'),
      'cannot list Certificates: forbidden: certificates is forbidden: User "bob" cannot list');
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    assert.match(explain(refused, server, 'list Certificates'), /^cannot reach the API server at https:\/\/127\.0\.0\.1:6443 \(ECONNREFUSED\)/);
  });
});
