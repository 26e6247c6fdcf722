// Packaging (issue 6): the Helm chart charts/certhost and the kustomize bases in config/. Statically
// with `helm lint` / `helm template` / `kubectl kustomize`, then against this run's control plane:
// `helm install` in both RBAC modes, the ServiceAccount's permissions proven with
// `kubectl auth can-i --as system:serviceaccount:…` (exactly the operator's rules, nothing more), the
// operator itself issuing a certificate while impersonating the chart's ServiceAccount, and
// `kubectl apply -k config/default`.
//
// No controller-manager runs here: the chart's Deployment never gets pods, so nothing waits for
// readiness (no `helm install --wait`); the tests assert the objects and the permissions.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { load, loadAll } from 'js-yaml';
import { defaultConfig } from '../../src/config/operator-config.ts';
import { type Operator, startOperator } from '../../src/operator.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { kubeconfigPath, kubectl, kubectlPath, loadKubeConfig, repoRoot, usesExistingCluster } from './harness/cluster.ts';
import { removeCerthostObjects, uniqueNamespaceName } from './harness/namespace.ts';
import { adminClient, certificate, certificatePackage, eventually, paths, waitCert } from './support/operator.ts';

const execFileAsync = promisify(execFile);
const chartDir = join(repoRoot, 'charts', 'certhost');

// ---------------------------------------------------------------------------------------------------
// The operator's API usage (architecture section 3, README "What it does today"): the rules the chart
// and config/rbac must grant, and the only ones.

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const namespacedRules: Rule[] = [
  { apiGroups: ['certhost.io'], resources: ['certificates', 'hostingpackages', 'deploymenttargets'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: ['certhost.io'], resources: ['certificates/status', 'hostingpackages/status', 'deploymenttargets/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list', 'patch'] },
];
const namespacesRule: Rule = { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] };
const clusterRules: Rule[] = [...namespacedRules, namespacesRule];
const leaseRules: Rule[] = [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }];
const caSecretRules: Rule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] }];

/** Every verb `kubectl auth can-i` is asked about for a resource the operator touches. */
const allVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** `group|resource|verb` for every permission a rule list grants. */
function triples(rules: readonly Rule[]): string[] {
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}|${res}|${v}`)))).sort();
}

/** Every (group, resource) a rule list names, with each verb of allVerbs: what can-i is asked. */
function questions(rules: readonly Rule[]): string[] {
  const resources = [...new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}|${res}`))))];
  return resources.flatMap((gr) => allVerbs.map((v) => `${gr}|${v}`));
}

// ---------------------------------------------------------------------------------------------------
// Tools.

/** helm: KUBEBUILDER_ASSETS/helm, the pinned build beside kubectl, else helm on PATH. */
function helmPath(): string {
  const candidates: string[] = [];
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets !== undefined && assets !== '') candidates.push(join(assets, 'helm'));
  const kubectlBin = kubectlPath();
  if (kubectlBin.includes('/')) candidates.push(join(dirname(kubectlBin), 'helm'));
  return candidates.find((p) => existsSync(p)) ?? 'helm';
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(file: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, [...args], { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw err; // not started, or killed by the timeout
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** Runs helm; rejects with its stderr on a non-zero exit. */
async function helm(args: readonly string[]): Promise<string> {
  const r = await run(helmPath(), args);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function isObject(v: unknown): v is K8sObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const m = o['metadata'];
  return typeof o['kind'] === 'string' && typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>)['name'] === 'string';
}

function parseManifests(text: string): K8sObject[] {
  return loadAll(text).filter(isObject);
}

/** `helm template` of the chart with --set pairs, parsed. */
async function renderChart(release: string, namespace: string, set: readonly string[] = [], extra: readonly string[] = []): Promise<K8sObject[]> {
  return parseManifests(await helm(['template', release, chartDir, '--namespace', namespace, ...set.flatMap((s) => ['--set', s]), ...extra]));
}

function only(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.map((o) => o.metadata.name).join(', ') || 'none'}`);
  return found[0] as K8sObject;
}

function rulesOf(role: K8sObject): Rule[] {
  const rules = role['rules'];
  assert.ok(Array.isArray(rules), `${role.kind} ${role.metadata.name} has no rules`);
  return rules as Rule[];
}

/** Asserts that a Role/ClusterRole grants exactly `expected`: no wildcard, no resourceNames, no URLs. */
function assertExactRules(role: K8sObject, expected: readonly Rule[]): void {
  const rules = rulesOf(role);
  for (const r of rules) {
    const all = [...r.apiGroups, ...r.resources, ...r.verbs];
    assert.ok(!all.includes('*'), `${role.kind} ${role.metadata.name} has a wildcard: ${JSON.stringify(r)}`);
    assert.ok(!('nonResourceURLs' in r) && !('resourceNames' in r), `${role.kind} ${role.metadata.name}: unexpected ${JSON.stringify(r)}`);
  }
  assert.deepEqual(triples(rules), triples(expected), `${role.kind} ${role.metadata.name} grants other permissions than the operator uses`);
}

interface Container {
  args?: string[];
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path?: string; port?: unknown } };
  readinessProbe?: { httpGet?: { path?: string; port?: unknown } };
  ports?: { name?: string; containerPort?: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  image?: string;
}

interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

function podSpecOf(deployment: K8sObject): PodSpec {
  const spec = deployment['spec'] as { replicas?: number; template: { spec: PodSpec } };
  return spec.template.spec;
}

function containerOf(deployment: K8sObject): Container {
  const c = podSpecOf(deployment).containers[0];
  assert.ok(c !== undefined, `Deployment ${deployment.metadata.name} has no container`);
  return c;
}

// ---------------------------------------------------------------------------------------------------
// kubectl auth can-i.

/** "group|resource[/sub]|verb" → the kubectl auth can-i arguments. */
function canIArgs(question: string): string[] {
  const [group = '', resourceWithSub = '', verb = ''] = question.split('|');
  const [resource = '', sub] = resourceWithSub.split('/');
  const name = group === '' ? resource : `${resource}.${group}`;
  return [verb, name, ...(sub ? [`--subresource=${sub}`] : [])];
}

/** Whether `user` may do `args` (kubectl auth can-i, asked by the admin on the user's behalf). */
async function canI(user: string, args: readonly string[], namespace: string | null): Promise<boolean> {
  const r = await run(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'auth', 'can-i', ...args, '--as', user, ...(namespace === null ? ['--all-namespaces'] : ['-n', namespace])]);
  const answer = r.stdout.trim();
  if (answer === 'yes' && r.code === 0) return true;
  if (answer.startsWith('no') && r.code === 1) return false;
  throw new Error(`kubectl auth can-i ${args.join(' ')} --as ${user}: exit ${r.code}, ${r.stdout} ${r.stderr}`);
}

/**
 * Waits (up to 30 s) until `user` may do `args`: the RBAC authorizer answers from its informer cache,
 * which may not hold bindings created a moment ago. One granted question per binding, before the full
 * check, so a slow cache is not mistaken for a missing grant (a binding that never grants still fails).
 */
async function untilGranted(user: string, args: readonly string[], namespace: string | null): Promise<void> {
  await eventually(`kubectl auth can-i ${args.join(' ')} --as ${user} ${namespace === null ? '--all-namespaces' : `-n ${namespace}`} to answer yes`,
    async () => ((await canI(user, args, namespace)) ? true : undefined), 30_000);
}

/** Asks every question (a few at a time) and returns those whose answer is not `expected(question)`. */
async function wrongAnswers(user: string, namespace: string | null, asked: readonly string[], allowed: (q: string) => boolean): Promise<string[]> {
  const wrong: string[] = [];
  const queue = [...asked];
  const worker = async (): Promise<void> => {
    for (let q = queue.shift(); q !== undefined; q = queue.shift()) {
      const yes = await canI(user, canIArgs(q), namespace);
      if (yes !== allowed(q)) wrong.push(`${yes ? 'CAN' : 'cannot'} ${q.replaceAll('|', ' ')} in ${namespace ?? 'all namespaces'}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, () => worker()));
  return wrong.sort();
}

/** Things no certhost identity may ever do, in any namespace. */
const forbiddenEverywhere: string[][] = [
  ['get', 'pods'],
  ['list', 'pods'],
  ['create', 'pods', '--subresource=exec'],
  ['get', 'configmaps'],
  ['create', 'serviceaccounts', '--subresource=token'],
  ['create', 'events'], // core events: the operator writes events.k8s.io only
  ['get', 'nodes'],
  ['create', 'clusterroles.rbac.authorization.k8s.io'],
  ['update', 'clusterroles.rbac.authorization.k8s.io'],
  ['escalate', 'clusterroles.rbac.authorization.k8s.io'],
  ['create', 'clusterrolebindings.rbac.authorization.k8s.io'],
  ['bind', 'clusterroles.rbac.authorization.k8s.io'],
  ['create', 'roles.rbac.authorization.k8s.io'],
  ['create', 'rolebindings.rbac.authorization.k8s.io'],
  ['impersonate', 'users'],
  ['create', 'customresourcedefinitions.apiextensions.k8s.io'],
  ['delete', 'leases.coordination.k8s.io'],
  ['*', '*'],
];

async function forbiddenAnswers(user: string, namespace: string | null): Promise<string[]> {
  const granted: string[] = [];
  for (const args of forbiddenEverywhere) if (await canI(user, args, namespace)) granted.push(`CAN ${args.join(' ')} in ${namespace ?? 'all namespaces'}`);
  return granted;
}

function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

async function createNamespace(prefix: string): Promise<string> {
  const name = uniqueNamespaceName(prefix);
  await kubectl(['create', 'namespace', name]);
  await kubectl(['label', 'namespace', name, 'certhost.io/test=true']);
  return name;
}

async function deleteNamespace(name: string): Promise<void> {
  await removeCerthostObjects(name);
  await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']).catch(() => undefined);
}

/** A helm release name unique to this run (cluster-scoped objects are named after it). */
function releaseName(prefix: string): string {
  return uniqueNamespaceName(`certhost-${prefix}`).slice(0, 53).replace(/-+$/, '');
}

/**
 * The admin kubeconfig with `as: <user>` (client-node's impersonateUser): every request made with it,
 * list and watch included, is authorised as `user`. (The operator's --impersonate option sets the
 * header on its REST calls only, not on watches, so it is not used here.)
 */
function impersonatingKubeConfig(user: string): KubeConfig {
  const admin = loadKubeConfig();
  const cluster = admin.getCurrentCluster();
  const adminUser = admin.getCurrentUser();
  if (cluster === null || adminUser === null) throw new Error(`${kubeconfigPath()} has no current cluster or user`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ ...adminUser, name: 'impersonated', impersonateUser: user }],
    contexts: [{ name: 'impersonated', cluster: cluster.name, user: 'impersonated' }],
    currentContext: 'impersonated',
  });
  return kc;
}

/**
 * The operator in-process as `user`: what it can do is what the chart's RBAC grants. Resolves once
 * its informers have synced (a 403 on any list or watch keeps them from it).
 */
async function startImpersonatingOperator(user: string, operatorNamespace: string, watchNamespace: string | null, logs: string[]): Promise<Operator> {
  const clock = new FakeClock(Date.parse('2025-08-15T00:00:00Z'));
  const log = createLogger('info', clock, { test: 'packaging' }, (l) => {
    logs.push(l);
    if (process.env['CERTHOST_TEST_LOGS']) process.stderr.write(`${l}\n`);
  });
  const started = startOperator({
    kubeConfig: impersonatingKubeConfig(user), clock, log, config: defaultConfig(operatorNamespace),
    ...(watchNamespace === null ? {} : { namespace: watchNamespace }),
    workers: 2, qps: 500, burst: 1000, leaderElect: true, operatorNamespace, identity: `packaging-test-${process.pid}`,
    metricsAddress: null, healthAddress: null, resyncPeriodMs: 10 * 3600_000,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the operator did not start as ${user} within 30 s:\n${logs.slice(-20).join('\n')}`)), 30_000);
  });
  try {
    return await Promise.race([started, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A HostingPackage and a Certificate in `namespace`; resolves when the Certificate is Issued. */
async function issueOneCertificate(namespace: string): Promise<void> {
  const admin = adminClient();
  await admin.create(paths.package(namespace), certificatePackage(namespace, 'credits', 1));
  await admin.create(paths.certificate(namespace), certificate(namespace, 'web'));
  await waitCert(admin, namespace, 'web', 'Certificate web Issued', (c) => c.status?.state === 'Issued', 30_000);
  const secret = await admin.get<{ data?: Record<string, string> }>(paths.secret(namespace, 'web-tls'));
  assert.ok(secret?.data?.['tls.crt'], 'the issued Secret web-tls holds tls.crt');
}

function forbiddenLogLines(logs: readonly string[]): string[] {
  return logs.filter((l) => /forbidden|\b403\b/i.test(l));
}

// ---------------------------------------------------------------------------------------------------

describe('packaging: the Helm chart charts/certhost (static)', function () {
  this.timeout(120_000);

  it('passes helm lint with the defaults, in single-namespace mode and with monitoring on', async () => {
    await helm(['lint', chartDir]);
    await helm(['lint', chartDir, '--set', 'watchNamespace=team-a', '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.prometheusRule.enabled=true']);
  });

  it('ships the generated CRDs in crds/, identical to the repository crds/', async () => {
    const chartCrds = readdirSync(join(chartDir, 'crds')).sort();
    assert.deepEqual(chartCrds, readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')).sort());
    for (const f of chartCrds) assert.equal(readFileSync(join(chartDir, 'crds', f), 'utf8'), readFileSync(join(repoRoot, 'crds', f), 'utf8'), f);
    const withCrds = await renderChart('certhost', 'certhost-system', [], ['--include-crds']);
    assert.deepEqual(withCrds.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort(),
      ['certificates.certhost.io', 'deploymenttargets.certhost.io', 'hostingpackages.certhost.io']);
  });

  it('cluster-wide mode: a ClusterRole with exactly the operator\'s rules (no wildcards), bound to the ServiceAccount, and a leases Role in the release namespace only', async () => {
    const objects = await renderChart('rel', 'ops');
    const sa = only(objects, 'ServiceAccount');
    const clusterRole = only(objects, 'ClusterRole');
    assertExactRules(clusterRole, clusterRules);
    const binding = only(objects, 'ClusterRoleBinding');
    assert.deepEqual(binding['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name });
    assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'ops' }]);
    const roles = objects.filter((o) => o.kind === 'Role');
    assert.equal(roles.length, 1, 'only the leader-election Role besides the ClusterRole');
    const leaseRole = roles[0] as K8sObject;
    assert.equal(leaseRole.metadata.namespace, 'ops');
    assertExactRules(leaseRole, leaseRules);
    const args = containerOf(only(objects, 'Deployment')).args ?? [];
    assert.ok(!args.some((a) => a.startsWith('--namespace')), `cluster-wide mode passes no --namespace: ${args.join(' ')}`);
  });

  it('single-namespace mode: a Role in the watched namespace without namespaces access, nothing cluster-scoped, and --namespace passed to the operator', async () => {
    const objects = await renderChart('rel', 'ops', ['watchNamespace=team-a']);
    assert.deepEqual(objects.filter((o) => o.kind.startsWith('Cluster')).map((o) => o.kind), []);
    const watched = only(objects, 'Role', 'rel-certhost');
    assert.equal(watched.metadata.namespace, 'team-a');
    assertExactRules(watched, namespacedRules);
    const watchedBinding = only(objects, 'RoleBinding', 'rel-certhost');
    assert.equal(watchedBinding.metadata.namespace, 'team-a');
    assert.deepEqual(watchedBinding['subjects'], [{ kind: 'ServiceAccount', name: 'rel-certhost', namespace: 'ops' }]);
    // The Lease and the built-in CA's Secret stay in the release namespace.
    const lease = only(objects, 'Role', 'rel-certhost-leader-election');
    assert.equal(lease.metadata.namespace, 'ops');
    assertExactRules(lease, leaseRules);
    const ca = only(objects, 'Role', 'rel-certhost-ca');
    assert.equal(ca.metadata.namespace, 'ops');
    assertExactRules(ca, caSecretRules);
    assert.ok((containerOf(only(objects, 'Deployment')).args ?? []).includes('--namespace=team-a'));

    // Watching the release namespace itself needs no separate CA Role.
    const same = await renderChart('rel', 'team-a', ['watchNamespace=team-a']);
    assert.deepEqual(same.filter((o) => o.kind === 'Role').map((o) => o.metadata.name).sort(), ['rel-certhost', 'rel-certhost-leader-election']);
  });

  it('without leader election there is no leases Role and no --leader-elect', async () => {
    const objects = await renderChart('rel', 'ops', ['leaderElection.enabled=false']);
    assert.equal(objects.filter((o) => o.kind === 'Role').length, 0);
    assert.ok(!(containerOf(only(objects, 'Deployment')).args ?? []).includes('--leader-elect'));
  });

  it('the Deployment runs non-root with a read-only root filesystem, no capabilities, RuntimeDefault seccomp, leader election, probes, resources and POD_NAMESPACE from the downward API', async () => {
    const objects = await renderChart('rel', 'ops', ['replicas=2']);
    const deployment = only(objects, 'Deployment');
    assert.equal((deployment['spec'] as { replicas: number }).replicas, 2);
    const pod = podSpecOf(deployment);
    assert.equal(pod.serviceAccountName, only(objects, 'ServiceAccount').metadata.name);
    assert.equal(pod.securityContext?.['runAsNonRoot'], true);
    assert.deepEqual(pod.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' });
    const c = containerOf(deployment);
    assert.equal(c.securityContext?.['readOnlyRootFilesystem'], true);
    assert.equal(c.securityContext?.['runAsNonRoot'], true);
    assert.equal(c.securityContext?.['allowPrivilegeEscalation'], false);
    assert.deepEqual(c.securityContext?.['capabilities'], { drop: ['ALL'] });
    assert.deepEqual(c.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' });
    const args = c.args ?? [];
    for (const a of ['--leader-elect', '--metrics-bind-address=:8080', '--health-probe-bind-address=:8081', '--config=/etc/certhost/config.yaml']) assert.ok(args.includes(a), `${a} in ${args.join(' ')}`);
    assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
    assert.deepEqual(c.ports?.map((p) => [p.name, p.containerPort]), [['metrics', 8080], ['health', 8081]]);
    assert.ok(c.resources?.requests?.['memory'] && c.resources.limits?.['memory'], 'memory request and limit');
    assert.deepEqual(c.env?.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
    assert.equal(c.image, 'certhost:0.1.0');
    const service = only(objects, 'Service');
    assert.deepEqual((service['spec'] as { ports: unknown[] }).ports, [{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('renders values `config` into the ConfigMap mounted as the --config file', async () => {
    const objects = await renderChart('rel', 'ops', [], [
      '--set', 'config.issuers.brands.DigiCert.validation=check', '--set', 'config.freeQuotaPerYear=5', '--set-string', 'config.verifyTimeout=3m',
    ]);
    const cm = only(objects, 'ConfigMap');
    const data = cm['data'] as Record<string, string>;
    assert.deepEqual(load(data['config.yaml'] ?? ''), { issuers: { brands: { DigiCert: { validation: 'check' } } }, freeQuotaPerYear: 5, verifyTimeout: '3m' });
    const pod = podSpecOf(only(objects, 'Deployment'));
    const volume = pod.volumes?.find((v) => v.configMap?.name === cm.metadata.name);
    assert.ok(volume, 'the ConfigMap is a volume');
    assert.deepEqual(containerOf(only(objects, 'Deployment')).volumeMounts?.find((m) => m.name === volume.name)?.mountPath, '/etc/certhost');
  });

  it('values.schema.json rejects bad values: replicas "two", an unknown key, a namespace that is no DNS label, an unknown validation mode', async () => {
    for (const [flag, value, why] of [
      ['--set-string', 'replicas=two', /replicas/],
      ['--set', 'replicaCount=2', /replicaCount/],
      ['--set', 'watchNamespace=Team_A', /watchNamespace/],
      ['--set', 'config.issuers.default.validation=dns', /validation/],
      ['--set', 'logLevel=verbose', /logLevel/],
    ] as const) {
      const r = await run(helmPath(), ['template', 'rel', chartDir, flag, value]);
      assert.notEqual(r.code, 0, `helm template ${flag} ${value} should fail`);
      assert.match(r.stderr, /values don't meet the specifications of the schema/, r.stderr);
      assert.match(r.stderr, why, r.stderr);
    }
    await renderChart('rel', 'ops', ['replicas=3', 'watchNamespace=team-a', 'config.issuers.default.validation=check']);
  });

  it('renders the ServiceMonitor and the PrometheusRule only when enabled, with the five alerts', async () => {
    const off = await renderChart('rel', 'ops');
    assert.deepEqual(off.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com')), []);
    const on = await renderChart('rel', 'ops', ['metrics.serviceMonitor.enabled=true', 'metrics.prometheusRule.enabled=true']);
    const monitor = only(on, 'ServiceMonitor');
    const service = only(on, 'Service');
    const selector = (monitor['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    for (const [k, v] of Object.entries(selector)) assert.equal(service.metadata.labels?.[k], v, `the ServiceMonitor selects the metrics Service (${k})`);
    const rule = only(on, 'PrometheusRule');
    const alerts = (rule['spec'] as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    assert.deepEqual(alerts.map((a) => a.alert), [
      'CerthostCertificateExpiringSoon', 'CerthostCertificateReviewFailed', 'CerthostHostingPackageCreditsLow', 'CerthostRolloutFailed', 'CerthostOperatorAbsent',
    ]);
    const expr = (name: string): string => alerts.find((a) => a.alert === name)?.expr ?? '';
    assert.match(expr('CerthostCertificateExpiringSoon'), /certhost_certificate_expiration_timestamp_seconds\) - time\(\)\s+< 604800/);
    assert.match(expr('CerthostCertificateReviewFailed'), /certhost_certificate_state\{state="ReviewFailed"\}\) == 1/);
    assert.match(expr('CerthostHostingPackageCreditsLow'), /state="available"[\s\S]*state="total"[\s\S]*< 0\.1/);
    assert.match(expr('CerthostRolloutFailed'), /increase\(certhost_deployments_total\{result="failure"\}\[15m\]\)/);
    assert.match(expr('CerthostOperatorAbsent'), /absent\(up\{job="rel-certhost-metrics", namespace="ops"\} == 1\)/);
  });

  it('config/prometheus holds the chart\'s alerts for a release named certhost in certhost-system', async () => {
    const chartRule = only(await renderChart('certhost', 'certhost-system', ['metrics.prometheusRule.enabled=true']), 'PrometheusRule');
    const kustomized = parseManifests((await run(kubectlPath(), ['kustomize', join(repoRoot, 'config/prometheus')])).stdout);
    assert.deepEqual(only(kustomized, 'PrometheusRule')['spec'], chartRule['spec']);
    const monitor = only(kustomized, 'ServiceMonitor');
    assert.deepEqual((monitor['spec'] as { selector: unknown }).selector, { matchLabels: { 'app.kubernetes.io/name': 'certhost', 'app.kubernetes.io/component': 'metrics' } });
  });
});

describe('packaging: the kustomize bases in config/ (static)', function () {
  this.timeout(60_000);

  it('config/default renders the CRDs, the RBAC of config/rbac, the operator in certhost-system and no wildcard', async () => {
    const r = await run(kubectlPath(), ['kustomize', join(repoRoot, 'config/default')]);
    assert.equal(r.code, 0, r.stderr);
    const objects = parseManifests(r.stdout);
    assert.deepEqual(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort(),
      ['certificates.certhost.io', 'deploymenttargets.certhost.io', 'hostingpackages.certhost.io']);
    assertExactRules(only(objects, 'ClusterRole'), clusterRules);
    assertExactRules(only(objects, 'Role'), leaseRules);
    for (const o of objects) {
      if (o.kind !== 'CustomResourceDefinition' && !o.kind.startsWith('Cluster') && o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'certhost-system', `${o.kind} ${o.metadata.name}`);
    }
    const deployment = only(objects, 'Deployment');
    const c = containerOf(deployment);
    assert.equal(c.image, 'certhost:dev');
    assert.equal(c.securityContext?.['readOnlyRootFilesystem'], true);
    assert.ok((c.args ?? []).includes('--leader-elect'));
    assert.equal(podSpecOf(deployment).serviceAccountName, only(objects, 'ServiceAccount').metadata.name);
    // The generated ConfigMap (hashed name) is the one the Deployment mounts.
    assert.equal(podSpecOf(deployment).volumes?.find((v) => v.name === 'config')?.configMap?.name, only(objects, 'ConfigMap').metadata.name);
  });
});

describe('packaging: helm install and kubectl apply -k against the control plane', function () {
  this.timeout(180_000);

  describe('cluster-wide release', function () {
    let releaseNs = '';
    let otherNs = '';
    let release = '';
    let installed = false;

    before(async function () {
      this.timeout(180_000);
      releaseNs = await createNamespace('pkg-helm');
      otherNs = await createNamespace('pkg-other');
      release = releaseName('cw');
      await helm(['install', release, chartDir, '--namespace', releaseNs, '--kubeconfig', kubeconfigPath()]);
      installed = true;
      // The authorizer sees the new ClusterRoleBinding and the Lease RoleBinding.
      const user = serviceAccountUser(releaseNs, release);
      await untilGranted(user, ['get', 'certificates.certhost.io'], null);
      await untilGranted(user, ['update', 'leases.coordination.k8s.io'], releaseNs);
    });

    after(async function () {
      this.timeout(120_000);
      if (installed) await helm(['uninstall', release, '--namespace', releaseNs, '--kubeconfig', kubeconfigPath()]).catch(() => undefined);
      for (const ns of [releaseNs, otherNs]) if (ns !== '') await deleteNamespace(ns);
    });

    it('helm install creates the ServiceAccount, ClusterRole, bindings, ConfigMap, metrics Service and Deployment', async () => {
      const status = JSON.parse(await helm(['status', release, '--namespace', releaseNs, '--kubeconfig', kubeconfigPath(), '-o', 'json'])) as { info?: { status?: string } };
      assert.equal(status.info?.status, 'deployed');
      const inNs = await kubectl(['get', 'serviceaccount,configmap,service,deployment,role,rolebinding', '-n', releaseNs, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
      for (const name of [`serviceaccount/${release}`, `configmap/${release}-config`, `service/${release}-metrics`, `deployment.apps/${release}`,
        `role.rbac.authorization.k8s.io/${release}-leader-election`, `rolebinding.rbac.authorization.k8s.io/${release}-leader-election`]) {
        assert.ok(inNs.split('\n').includes(name), `${name} in:\n${inNs}`);
      }
      const clusterScoped = await kubectl(['get', 'clusterrole,clusterrolebinding', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
      assert.deepEqual(clusterScoped.trim().split('\n').sort(), [`clusterrole.rbac.authorization.k8s.io/${release}`, `clusterrolebinding.rbac.authorization.k8s.io/${release}`]);
      const deployment = JSON.parse(await kubectl(['get', 'deployment', release, '-n', releaseNs, '-o', 'json'])) as K8sObject;
      assert.ok((containerOf(deployment).args ?? []).includes('--leader-elect'));
    });

    it('the ServiceAccount can do exactly what the operator needs, in every namespace, and nothing else with those resources', async () => {
      const user = serviceAccountUser(releaseNs, release);
      const granted = new Set(triples(clusterRules));
      const asked = questions(clusterRules);
      assert.deepEqual(await wrongAnswers(user, otherNs, asked, (q) => granted.has(q)), []);
      assert.deepEqual(await wrongAnswers(user, null, asked, (q) => granted.has(q)), []);
    });

    it('the ServiceAccount may use Leases in its own namespace only, and cannot read pods, touch RBAC or delete certificates', async () => {
      const user = serviceAccountUser(releaseNs, release);
      const lease = new Set(triples(leaseRules));
      assert.deepEqual(await wrongAnswers(user, releaseNs, questions(leaseRules), (q) => lease.has(q)), []);
      assert.deepEqual(await wrongAnswers(user, otherNs, questions(leaseRules), () => false), []);
      assert.deepEqual(await forbiddenAnswers(user, otherNs), []);
      assert.deepEqual(await forbiddenAnswers(user, releaseNs), []);
      for (const verb of ['delete', 'create', 'deletecollection']) assert.equal(await canI(user, [verb, 'certificates.certhost.io'], otherNs), false, `${verb} certificates`);
    });

    it('the operator, impersonating the ServiceAccount, watches every namespace, takes the Lease and issues a certificate without a single 403', async function () {
      if (usesExistingCluster()) this.skip(); // a cluster-wide operator must not reconcile someone else's cluster
      const logs: string[] = [];
      const workNs = await createNamespace('pkg-issue');
      const operator = await startImpersonatingOperator(serviceAccountUser(releaseNs, release), releaseNs, null, logs);
      try {
        await issueOneCertificate(workNs);
        assert.equal(operator.isLeader(), true, 'the operator holds the Lease');
      } finally {
        await operator.stop();
        await deleteNamespace(workNs);
      }
      assert.deepEqual(forbiddenLogLines(logs), []);
    });
  });

  describe('single-namespace release', function () {
    let releaseNs = '';
    let watchedNs = '';
    let otherNs = '';
    let release = '';
    let installed = false;

    before(async function () {
      this.timeout(180_000);
      releaseNs = await createNamespace('pkg-helm-ns');
      watchedNs = await createNamespace('pkg-watched');
      otherNs = await createNamespace('pkg-other');
      release = releaseName('ns');
      await helm(['install', release, chartDir, '--namespace', releaseNs, '--kubeconfig', kubeconfigPath(), '--set', `watchNamespace=${watchedNs}`]);
      installed = true;
      // The authorizer sees the new RoleBindings: the watched namespace's, the Lease's and the CA Secret's.
      const user = serviceAccountUser(releaseNs, release);
      await untilGranted(user, ['get', 'certificates.certhost.io'], watchedNs);
      await untilGranted(user, ['update', 'leases.coordination.k8s.io'], releaseNs);
      await untilGranted(user, ['update', 'secrets'], releaseNs);
    });

    after(async function () {
      this.timeout(120_000);
      if (installed) await helm(['uninstall', release, '--namespace', releaseNs, '--kubeconfig', kubeconfigPath()]).catch(() => undefined);
      for (const ns of [releaseNs, watchedNs, otherNs]) if (ns !== '') await deleteNamespace(ns);
    });

    it('helm install creates a Role and RoleBinding in the watched namespace and nothing cluster-scoped', async () => {
      const watched = await kubectl(['get', 'role,rolebinding', '-n', watchedNs, '-o', 'name']);
      assert.deepEqual(watched.trim().split('\n').sort(), [`role.rbac.authorization.k8s.io/${release}`, `rolebinding.rbac.authorization.k8s.io/${release}`]);
      const clusterScoped = await kubectl(['get', 'clusterrole,clusterrolebinding', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
      assert.equal(clusterScoped.trim(), '');
    });

    it('the ServiceAccount can do exactly what the operator needs in the watched namespace, nothing in others, and cannot read namespaces', async () => {
      const user = serviceAccountUser(releaseNs, release);
      const granted = new Set(triples(namespacedRules));
      assert.deepEqual(await wrongAnswers(user, watchedNs, questions(namespacedRules), (q) => granted.has(q)), []);
      assert.deepEqual(await wrongAnswers(user, otherNs, questions(namespacedRules), () => false), []);
      assert.deepEqual(await wrongAnswers(user, null, questions(clusterRules), () => false), []);
      assert.deepEqual(await forbiddenAnswers(user, watchedNs), []);
    });

    it('the ServiceAccount may use Leases and the CA Secret (get, create, update) in the release namespace only', async () => {
      const user = serviceAccountUser(releaseNs, release);
      const own = new Set([...triples(leaseRules), ...triples(caSecretRules)]);
      assert.deepEqual(await wrongAnswers(user, releaseNs, questions([...leaseRules, ...caSecretRules]), (q) => own.has(q)), []);
      assert.deepEqual(await wrongAnswers(user, watchedNs, questions(leaseRules), () => false), []);
    });

    it('the operator, impersonating the ServiceAccount, issues a certificate in the watched namespace with the CA and Lease in its own, without a single 403', async () => {
      const logs: string[] = [];
      const operator = await startImpersonatingOperator(serviceAccountUser(releaseNs, release), releaseNs, watchedNs, logs);
      try {
        await issueOneCertificate(watchedNs);
        assert.equal(operator.isLeader(), true, 'the operator holds the Lease');
        const ca = await adminClient().get<{ metadata: { name: string } }>(paths.secret(releaseNs, 'certhost-ca'));
        assert.equal(ca?.metadata.name, 'certhost-ca', 'the CA Secret is in the release namespace');
      } finally {
        await operator.stop();
      }
      assert.deepEqual(forbiddenLogLines(logs), []);
    });
  });

  describe('kubectl apply -k config/default', function () {
    it('creates certhost-system, the CRDs, the RBAC and the operator Deployment; its ServiceAccount gets exactly the operator\'s rules', async function () {
      if (usesExistingCluster()) this.skip(); // would install a second operator into someone's certhost-system
      const out = await kubectl(['apply', '-k', join(repoRoot, 'config/default')]);
      for (const name of ['namespace/certhost-system', 'customresourcedefinition.apiextensions.k8s.io/certificates.certhost.io', 'serviceaccount/certhost',
        'clusterrole.rbac.authorization.k8s.io/certhost', 'clusterrolebinding.rbac.authorization.k8s.io/certhost', 'role.rbac.authorization.k8s.io/certhost-leader-election',
        'service/certhost-metrics', 'deployment.apps/certhost']) {
        assert.match(out, new RegExp(`^${name.replaceAll('.', '\\.')} (created|configured|unchanged|serverside-applied)$`, 'm'), out);
      }
      assert.match(out, /^configmap\/certhost-config-[a-z0-9]+ (created|unchanged)$/m, out);
      try {
        const user = serviceAccountUser('certhost-system', 'certhost');
        await untilGranted(user, ['get', 'certificates.certhost.io'], null);
        await untilGranted(user, ['update', 'leases.coordination.k8s.io'], 'certhost-system');
        const granted = new Set(triples(clusterRules));
        assert.deepEqual(await wrongAnswers(user, null, questions(clusterRules), (q) => granted.has(q)), []);
        assert.equal(await canI(user, ['update', 'leases.coordination.k8s.io'], 'certhost-system'), true);
        assert.equal(await canI(user, ['update', 'leases.coordination.k8s.io'], 'default'), false);
        assert.deepEqual(await forbiddenAnswers(user, 'default'), []);
      } finally {
        // Nothing of it may outlive the test (a later `helm install certhost` into certhost-system would
        // collide with it), except the CRDs and the namespace: a deleted namespace would stay
        // Terminating here (no controller-manager) and block that install too.
        await kubectl(['delete', '-k', join(repoRoot, 'config/rbac'), '--ignore-not-found']);
        await kubectl(['delete', 'deployment/certhost', 'service/certhost-metrics', '-n', 'certhost-system', '--ignore-not-found']);
        await kubectl(['delete', 'configmap', '-n', 'certhost-system', '-l', 'app.kubernetes.io/name=certhost', '--ignore-not-found']);
      }
    });
  });
});
