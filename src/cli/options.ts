// Command line of `kubectl certhost` (kubectl passes every argument after the plugin name through).
import { parseArgs } from 'node:util';
import { type Instant, parseInstant } from '../domain/time.ts';

export const commands = ['overview', 'status', 'renew', 'plan'] as const;
export type CommandName = (typeof commands)[number];
export const outputFormats = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const usage = `kubectl certhost: the certhost console in kubectl.

Usage:
  kubectl certhost overview              certificates per state, credits per package, what expires in 30 days
  kubectl certhost status NAME           one certificate: state, conditions, revision, successors, validation,
                                         deployments, history and its latest Events
  kubectl certhost renew NAME            request a manual renewal (annotation certhost.io/renew)
  kubectl certhost plan [--days N]       forecast of the next N days (default 30): renewals, expiries,
                                         reminders, windows opening, missing credits

Flags:
      --kubeconfig PATH       kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)
      --context NAME          kubeconfig context to use
  -n, --namespace NS          namespace (default: the context's namespace, else "default")
  -A, --all-namespaces        every namespace (overview, plan)
  -o, --output FORMAT         table (default), json or yaml
      --now RFC3339           evaluate at this instant instead of the system clock (use the operator's
                              test clock time when it runs with --clock=fake)
      --days N                plan: how many days ahead (default 30)
      --config PATH           the operator's config file, for its issuer profiles (plan, renew)
  -h, --help                  this help
`;

export interface CliOptions {
  command: CommandName;
  /** The certificate name of status and renew. */
  name?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  output: OutputFormat;
  now?: Instant;
  days: number;
  config?: string;
}

export type ParsedCommandLine = { kind: 'help' } | { kind: 'run'; options: CliOptions } | { kind: 'error'; message: string };

function isCommand(s: string): s is CommandName {
  return (commands as readonly string[]).includes(s);
}

function isFormat(s: string): s is OutputFormat {
  return (outputFormats as readonly string[]).includes(s);
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        kubeconfig: { type: 'string' }, context: { type: 'string' },
        namespace: { type: 'string', short: 'n' }, 'all-namespaces': { type: 'boolean', short: 'A', default: false },
        output: { type: 'string', short: 'o', default: 'table' }, now: { type: 'string' },
        days: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    // parseArgs explains on several lines; the plugin's errors are one line.
    return { kind: 'error', message: (e instanceof Error ? e.message : String(e)).trim().split(/\s*\n\s*/).join(' ') };
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  const [command, ...rest] = positionals;
  if (command === undefined) return { kind: 'error', message: `a command is needed: one of ${commands.join(', ')}` };
  if (!isCommand(command)) return { kind: 'error', message: `unknown command "${command}": use one of ${commands.join(', ')}` };
  const needsName = command === 'status' || command === 'renew';
  if (needsName && rest.length !== 1) return { kind: 'error', message: `${command} needs exactly one certificate name: kubectl certhost ${command} NAME` };
  if (!needsName && rest.length > 0) return { kind: 'error', message: `${command} takes no arguments (got "${rest.join(' ')}")` };
  if (!isFormat(values.output)) return { kind: 'error', message: `--output must be table, json or yaml (got "${values.output}")` };
  if (needsName && values['all-namespaces']) return { kind: 'error', message: `${command} works on one namespace; use -n NAMESPACE instead of -A` };
  if (values.namespace !== undefined && values['all-namespaces']) return { kind: 'error', message: '--namespace and --all-namespaces exclude each other' };
  let now: Instant | undefined;
  if (values.now !== undefined) {
    const at = parseInstant(values.now);
    if (at === null) return { kind: 'error', message: `--now must be an RFC 3339 time such as 2025-08-15T00:00:00Z (got "${values.now}")` };
    now = at;
  }
  let days = 30;
  if (values.days !== undefined) {
    if (command !== 'plan') return { kind: 'error', message: '--days applies to plan only' };
    const n = Number(values.days);
    if (!/^\d+$/.test(values.days) || !Number.isSafeInteger(n)) return { kind: 'error', message: `--days must be a whole number of days (got "${values.days}")` };
    days = n;
  }
  const name = needsName ? rest[0] : undefined;
  return {
    kind: 'run',
    options: {
      command, allNamespaces: values['all-namespaces'], output: values.output, days,
      ...(name === undefined ? {} : { name }),
      ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
      ...(values.context === undefined ? {} : { context: values.context }),
      ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
      ...(now === undefined ? {} : { now }),
      ...(values.config === undefined ? {} : { config: values.config }),
    },
  };
}
