// The command line of `kubectl certhost`.
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/cli/options.ts';

describe('kubectl certhost command line', () => {
  it('reads the flags of every command, before or after it, in short and long form', () => {
    const p = parseCommandLine(['--kubeconfig', '/k', '-n', 'shop', 'status', 'web', '-o', 'json', '--now', '2025-01-02T00:00:00Z']);
    assert.deepEqual(p, {
      kind: 'run',
      options: { command: 'status', name: 'web', kubeconfig: '/k', namespace: 'shop', allNamespaces: false, output: 'json', days: 30, now: Date.parse('2025-01-02T00:00:00Z') },
    });
    const plan = parseCommandLine(['plan', '-A', '--days', '400', '--output=yaml']);
    assert.deepEqual(plan.kind === 'run' && [plan.options.command, plan.options.allNamespaces, plan.options.days, plan.options.output], ['plan', true, 400, 'yaml']);
  });

  it('defaults: table output, 30 days, the context namespace (left to the kubeconfig)', () => {
    const p = parseCommandLine(['overview']);
    assert.deepEqual(p, { kind: 'run', options: { command: 'overview', allNamespaces: false, output: 'table', days: 30 } });
  });

  it('help', () => {
    assert.deepEqual(parseCommandLine(['--help']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-h']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['help']), { kind: 'help' });
  });

  const errors: [string, string[], RegExp][] = [
    ['no command', [], /a command is needed/],
    ['an unknown command', ['delete'], /unknown command "delete"/],
    ['status without a name', ['status'], /status needs exactly one certificate name/],
    ['renew with two names', ['renew', 'a', 'b'], /renew needs exactly one certificate name/],
    ['overview with an argument', ['overview', 'x'], /overview takes no arguments/],
    ['an unknown output format', ['overview', '-o', 'wide'], /--output must be table, json or yaml/],
    ['a --now that is not RFC 3339', ['plan', '--now', 'tomorrow'], /--now must be an RFC 3339 time/],
    ['a negative --days', ['plan', '--days=-3'], /--days must be a whole number/],
    ['--days without a number', ['plan', '--days', '-A'], /^Option '--days' argument is ambiguous\. Did you forget/],
    ['--days outside plan', ['overview', '--days', '3'], /--days applies to plan only/],
    ['-A with a name', ['status', 'x', '-A'], /works on one namespace/],
    ['-n with -A', ['overview', '-n', 'a', '-A'], /exclude each other/],
    ['an unknown flag', ['overview', '--colour'], /Unknown option '--colour'/],
  ];
  for (const [name, argv, message] of errors) {
    it(`rejects ${name}`, () => {
      const p = parseCommandLine(argv);
      assert.equal(p.kind, 'error');
      assert.match(p.kind === 'error' ? p.message : '', message);
    });
  }
});
