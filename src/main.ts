// The operator process (architecture section 5): `node dist/main.js [flags]`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { defaultConfig, parseConfig } from './config/operator-config.ts';
import { parseGoDuration, parseInstant } from './domain/time.ts';
import { type Clock, FakeClock, SystemClock } from './runtime/clock.ts';
import { createLogger, type Level } from './runtime/logger.ts';
import { startOperator } from './operator.ts';

const usage = `usage: certhost [flags]
  --kubeconfig PATH              kubeconfig (default: $KUBECONFIG, then in-cluster)
  --namespace NS                 watch one namespace (default: all)
  --config PATH                  operator config file (YAML: issuer profiles, validation, quotas)
  --leader-elect                 use a Lease so only one replica reconciles
  --metrics-bind-address ADDR    default :8080
  --health-probe-bind-address ADDR   default :8081 (/healthz, /readyz; /debug/clock with --clock=fake)
  --workers N                    reconcile workers (default 4)
  --qps N --burst N              client-side API rate limit (default 50 / 100)
  --log-level LEVEL              debug | info | warn | error (default info)
  --resync-period DURATION       periodic safety-net resync (default 10h)
  --clock system|fake --fake-now RFC3339   the test clock (architecture section 5)
  --impersonate USER             make every API request as USER (like kubectl --as; e2e runs as the chart's ServiceAccount)`;

function fail(message: string): never {
  process.stderr.write(`certhost: ${message}\n${usage}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        kubeconfig: { type: 'string' }, namespace: { type: 'string' }, config: { type: 'string' },
        'leader-elect': { type: 'boolean', default: false },
        'metrics-bind-address': { type: 'string', default: ':8080' }, 'health-probe-bind-address': { type: 'string', default: ':8081' },
        workers: { type: 'string', default: '4' }, qps: { type: 'string', default: '50' }, burst: { type: 'string', default: '100' },
        'log-level': { type: 'string', default: 'info' }, 'resync-period': { type: 'string', default: '10h' },
        clock: { type: 'string', default: 'system' }, 'fake-now': { type: 'string' },
        impersonate: { type: 'string' }, help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
})();
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const level = values['log-level'] as Level;
if (!['debug', 'info', 'warn', 'error'].includes(level)) fail('--log-level must be debug, info, warn or error');
let clock: Clock;
if (values.clock === 'fake') {
  const start = values['fake-now'] === undefined ? null : parseInstant(values['fake-now']);
  if (start === null) fail('--clock=fake needs --fake-now=<RFC3339>, e.g. 2025-08-15T00:00:00Z');
  clock = new FakeClock(start);
} else if (values.clock === 'system') {
  clock = new SystemClock();
} else {
  fail('--clock must be system or fake');
}
const int = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number`);
  return n;
};
const resync = parseGoDuration(values['resync-period']);
if (resync === null || resync <= 0) fail('--resync-period must be a duration such as 10h');

const log = createLogger(level, clock, { component: 'certhost' });
const operatorNamespace = process.env.POD_NAMESPACE ?? values.namespace ?? 'certhost-system';
let config = defaultConfig(operatorNamespace);
if (values.config !== undefined) {
  let text: string;
  try {
    text = readFileSync(values.config, 'utf8');
  } catch (e) {
    fail(`cannot read --config ${values.config}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseConfig(text, operatorNamespace);
  if (!parsed.ok) fail(`--config ${values.config}: ${parsed.message}`);
  config = parsed.config;
}

const kc = new KubeConfig();
const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
if (kubeconfig) kc.loadFromFile(kubeconfig);
else kc.loadFromCluster();

const bind = (v: string): string | null => (v === '0' || v === '' ? null : v);
const operator = await startOperator({
  kubeConfig: kc, clock, log, config,
  ...(values.namespace ? { namespace: values.namespace } : {}),
  workers: int('workers', values.workers), qps: int('qps', values.qps), burst: int('burst', values.burst),
  leaderElect: values['leader-elect'], operatorNamespace,
  metricsAddress: bind(values['metrics-bind-address']), healthAddress: bind(values['health-probe-bind-address']),
  resyncPeriodMs: resync,
  ...(values.impersonate ? { impersonate: values.impersonate } : {}),
}).catch((e: unknown) => {
  log.error('could not start', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
log.info('started', { clock: clock.kind, namespace: values.namespace ?? '(all)', leaderElect: values['leader-elect'], ports: operator.ports });

// Graceful shutdown: finish in-flight work, release the lease, exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info('shutting down', { signal });
    void operator.stop().then(() => process.exit(0));
  });
}
