// The README's test command (`make test` → `npm test`): the unit suite, then the integration and e2e
// suites against a real kube-apiserver + etcd, then one closing line "N passed, N failed" for CI.
//
//   npm test                      all suites
//   npm test -- unit              only the unit suite (no control plane needed)
//   npm test -- integration       only the suites that need the control plane
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Suite {
  name: string;
  args: string[];
  needsCluster: boolean;
}

const root = new URL('..', import.meta.url).pathname;
const mocha = join(root, 'node_modules/.bin/mocha');
const reporter = join(root, 'hack/mocha-summary-reporter.cjs');

function hasTests(dir: string): boolean {
  const full = join(root, dir);
  if (!existsSync(full)) return false;
  return readdirSync(full, { recursive: true }).some((f) => String(f).endsWith('.test.ts'));
}

const suites: Suite[] = [
  { name: 'unit', args: ['test/unit/**/*.test.ts'], needsCluster: false },
  { name: 'integration', args: ['--config', 'test/integration/mocharc.json', 'test/integration/**/*.test.ts', ...(hasTests('test/e2e') ? ['test/e2e/**/*.test.ts'] : [])], needsCluster: true },
];

const only = process.argv[2];
const selected = suites.filter((s) => only === undefined || s.name === only);
let passed = 0;
let failed = 0;
const work = mkdtempSync(join(tmpdir(), 'certhost-tests-'));

for (const suite of selected) {
  console.log(`\n== ${suite.name} tests`);
  const env: NodeJS.ProcessEnv = { ...process.env, CERTHOST_TEST_SUMMARY: join(work, `${suite.name}.json`) };
  if (suite.needsCluster && !process.env.KUBEBUILDER_ASSETS) {
    // Build (first time) or reuse kube-apiserver and etcd; the script prints the directory last.
    const ensure = spawnSync('bash', [join(root, 'hack/ensure-test-binaries.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    const lines = (ensure.stdout ?? '').trim().split('\n');
    if (ensure.status !== 0) {
      console.error(lines.join('\n'));
      console.error(`could not build or find the control plane binaries (exit ${ensure.status}); the ${suite.name} suite counts as failed`);
      failed += 1;
      continue;
    }
    env.KUBEBUILDER_ASSETS = lines[lines.length - 1];
  }
  const run = spawnSync(mocha, ['--reporter', reporter, ...suite.args], { cwd: root, stdio: 'inherit', env });
  const summaryFile = env.CERTHOST_TEST_SUMMARY as string;
  if (!existsSync(summaryFile)) {
    console.error(`the ${suite.name} suite ended without a summary (exit ${run.status}, signal ${run.signal}); counted as one failure`);
    failed += 1;
    continue;
  }
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { passes: number; failures: number };
  passed += s.passes;
  failed += s.failures;
  // A hook failure or crash after the summary still fails the run.
  if (run.status !== 0 && s.failures === 0) failed += 1;
}

rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
