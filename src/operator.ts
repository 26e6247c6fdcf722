// Wires the operator together: client, informers, controllers, leader election, HTTP endpoints. Used
// by src/main.ts (the process) and by the integration tests (in-process, against a real API server).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Certificate } from './api/certificate-types.ts';
import type { HostingPackage } from './api/hosting-package-types.ts';
import type { DeploymentTarget } from './api/deployment-target-types.ts';
import { DeploymentTargetReconciler } from './controllers/deployment-target-controller.ts';
import type { IngressObject, NamespaceObject } from './targets/target-writes.ts';
import { Label, managedByValue } from './api/labels.ts';
import { type OperatorConfig } from './config/operator-config.ts';
import { CaStore } from './controllers/ca-store.ts';
import { CertificateReconciler } from './controllers/certificate-controller.ts';
import { CreditStore, packageView } from './controllers/credit-store.ts';
import { HostingPackageReconciler } from './controllers/hosting-package-controller.ts';
import type { SecretObject } from './controllers/tls-secret.ts';
import { packageCounters } from './domain/credit-ledger.ts';
import { parseGoDuration, parseInstant } from './domain/time.ts';
import { createBuiltinIssuer } from './issuers/builtin/builtin-issuer.ts';
import { OperatorMetrics } from './metrics/metrics.ts';
import type { Clock, FakeClock } from './runtime/clock.ts';
import { Controller } from './runtime/controller.ts';
import { ApiEventRecorder } from './runtime/events.ts';
import { Informer, objectKey } from './runtime/informer.ts';
import { KubeClient, resourcePath } from './runtime/kube-client.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import type { Logger } from './runtime/logger.ts';
import { formatInstant } from './domain/time.ts';
import { stableJson } from './controllers/certificate-status.ts';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  clock: Clock;
  log: Logger;
  config: OperatorConfig;
  /** Watch one namespace; all when absent. */
  namespace?: string;
  workers: number;
  qps: number;
  burst: number;
  leaderElect: boolean;
  /** Namespace of the Lease and (by default) the CA Secret. */
  operatorNamespace: string;
  identity?: string;
  /** Host:port, ":8080" style; null disables the server. */
  metricsAddress: string | null;
  healthAddress: string | null;
  resyncPeriodMs: number;
  /** Impersonate a user for every API request (e2e: the chart's ServiceAccount). */
  impersonate?: string;
}

export interface Operator {
  metrics: OperatorMetrics;
  certificates: Informer<Certificate>;
  isLeader(): boolean;
  identity: string;
  /** Bound ports of the HTTP servers (tests start them on port 0). */
  ports: { metrics?: number; health?: number };
  stop(): Promise<void>;
}

/**
 * The same kubeconfig with every request (watches included: they authenticate through the config,
 * not through our client) made as `user`, the way `kubectl --as` does.
 */
function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const current = kc.getCurrentUser()?.name;
  const next = new KubeConfig();
  next.loadFromOptions({
    clusters: kc.clusters, contexts: kc.contexts, currentContext: kc.currentContext,
    users: kc.users.map((u) => (u.name === current ? { ...u, impersonateUser: user } : u)),
  });
  return next;
}

function listen(server: Server, address: string): Promise<number> {
  const m = /^(.*):(\d+)$/.exec(address);
  const host = m?.[1] || '0.0.0.0';
  const port = Number(m?.[2] ?? 0);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 65536) throw new Error('body too large');
  }
  return body;
}

function json(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startOperator(o: OperatorOptions): Promise<Operator> {
  const log = o.log;
  let metrics: OperatorMetrics | null = null;
  const client = new KubeClient(o.impersonate ? impersonating(o.kubeConfig, o.impersonate) : o.kubeConfig, {
    qps: o.qps, burst: o.burst,
    onRequest: (verb, resource, code) => metrics?.apiRequests.inc({ verb, resource, code: String(code) }),
  });
  const scoped = (plural: string, group = 'certhost.io', version = 'v1alpha1'): string =>
    resourcePath({ group, version, plural, ...(o.namespace ? { namespace: o.namespace } : {}) });

  const certificates = new Informer<Certificate>(client, { path: scoped('certificates'), log, name: 'certificates' });
  const packages = new Informer<HostingPackage>(client, { path: scoped('hostingpackages'), log, name: 'hostingpackages' });
  // Only Secrets the operator labels are watched (memory does not grow with unrelated Secrets).
  const secrets = new Informer<SecretObject & { metadata: { name: string } }>(client, {
    path: scoped('secrets', '', 'v1'), labelSelector: `${Label.managedBy}=${managedByValue}`, log, name: 'secrets',
    // Only the CA Secret's data is read from events; every other Secret is read live when needed.
    transform: (s) => (s.metadata.name === o.config.caSecret.name && s.metadata.namespace === o.config.caSecret.namespace ? s : { ...s, data: {} }),
  });

  const identity = o.identity ?? `${hostname()}-${process.pid}`;
  const targets = new Informer<DeploymentTarget>(client, { path: scoped('deploymenttargets'), log, name: 'deploymenttargets' });
  const ingresses = new Informer<IngressObject>(client, { path: scoped('ingresses', 'networking.k8s.io', 'v1'), log, name: 'ingresses' });
  // Namespaces (regions, R-TENANCY annotations) are cluster-scoped: only in cluster-wide mode.
  const namespaces = o.namespace ? null : new Informer<NamespaceObject>(client, { path: '/api/v1/namespaces', log, name: 'namespaces' });
  const events = new ApiEventRecorder(client, o.clock, log, 'certhost.io/operator', identity);
  const ca = new CaStore(client, o.clock, log, { namespace: o.config.caSecret.namespace, name: o.config.caSecret.name, autoRotate: o.config.caAutoRotate });
  const credits = new CreditStore(client);
  const controllers: Controller[] = [];
  metrics = new OperatorMetrics({
    certificates: () => certificates.list().map((c) => ({
      namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '',
      ...(c.status?.state ? { state: c.status.state } : {}),
      ...(c.status?.current?.notAfter ? { notAfter: c.status.current.notAfter } : {}),
      ...(c.status?.renewalTime ? { renewalTime: c.status.renewalTime } : {}),
    })),
    packages: () => packages.list().map((p) => ({
      namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '', type: p.spec.type,
      ...packageCounters(packageView(p), o.clock.now()),
    })),
    queueDepths: () => Object.fromEntries(controllers.map((c) => [c.name, c.queue.len()])),
  });
  const m = metrics;

  const certificateReconciler = new CertificateReconciler({
    client, clock: o.clock, log, events, metrics: m, config: o.config, ca,
    issuer: createBuiltinIssuer({ hierarchy: () => ca.current() }),
    credits, certificates, targets,
    deploymentCreditsAvailable: (ns) => packages.list(ns).filter((p) => p.spec.type === 'Deployment')
      .reduce((sum, p) => sum + packageCounters(packageView(p), o.clock.now()).available, 0),
  });
  const targetReconciler = new DeploymentTargetReconciler({
    client, clock: o.clock, log, events, metrics: m, certificates,
    namespaces: namespaces ? () => namespaces.list() : null,
    verifyTimeoutMs: o.config.verifyTimeoutMs,
  });
  const packageReconciler = new HostingPackageReconciler({ client, clock: o.clock, log, events, certificates });
  const certController = new Controller({
    name: 'certificate', workers: o.workers, clock: o.clock, log,
    reconcile: (k) => certificateReconciler.reconcile(k),
    onResult: (result) => m.reconcileTotal.inc({ controller: 'certificate', result }),
  });
  const pkgController = new Controller({
    name: 'hostingpackage', workers: Math.max(1, Math.floor(o.workers / 2)), clock: o.clock, log,
    reconcile: (k) => packageReconciler.reconcile(k),
    onResult: (result) => m.reconcileTotal.inc({ controller: 'hostingpackage', result }),
  });
  const targetController = new Controller({
    name: 'deploymenttarget', workers: o.workers, clock: o.clock, log,
    reconcile: (k) => targetReconciler.reconcile(k),
    onResult: (result) => m.reconcileTotal.inc({ controller: 'deploymenttarget', result }),
  });
  controllers.push(certController, pkgController, targetController);
  const enqueueTargetsOf = (cert: Certificate, old?: Certificate): void => {
    const ns = cert.metadata.namespace ?? '';
    const names = new Set([...(cert.spec.targets ?? []), ...(old?.spec.targets ?? [])].map((t) => t.name));
    for (const d of [...(cert.status?.deployments ?? []), ...(old?.status?.deployments ?? [])]) names.add(d.target);
    for (const n of names) targetController.enqueue(`${ns}/${n}`);
  };
  // Rollouts: targets act on what certificates authorise; certificates mirror what targets report.
  certificates.on((_type, cert, old) => enqueueTargetsOf(cert, old));
  targets.on((type, t, old) => {
    const key = objectKey(t);
    targetController.enqueue(key);
    if (type === 'update' && old && stableJson(old.status?.deployments) === stableJson(t.status?.deployments) && old.metadata?.generation === t.metadata?.generation) return;
    for (const c of certificates.list(t.metadata.namespace)) if ((c.spec.targets ?? []).some((r) => r.name === t.metadata.name)) certController.enqueue(objectKey(c));
  });
  ingresses.on((_type, ing) => {
    // A domain that starts running (R-TARGET-CDN) or a new listener: look at the targets that could use it.
    for (const t of targets.list()) {
      if (t.metadata.namespace === ing.metadata.namespace || t.spec.type === 'SLB') targetController.enqueue(objectKey(t));
    }
  });
  namespaces?.on(() => {
    for (const t of targets.list()) if (t.spec.type === 'SLB' || t.spec.type === 'Secret') targetController.enqueue(objectKey(t));
  });

  // Event wiring: what makes which key worth looking at again.
  certificates.on((type, cert, old) => {
    const key = objectKey(cert);
    if (type === 'delete') {
      certController.scheduler.cancel(key);
      // R-DELETE: never blocked; a still-valid certificate's deletion is worth a Warning.
      const notAfter = parseInstant(cert.status?.current?.notAfter ?? '');
      if (notAfter !== null && notAfter > o.clock.now() && !cert.status?.revokedAt) {
        events.record(cert, 'Warning', 'DeletedWhileValid', 'Delete', `Certificate deleted while valid until ${cert.status?.current?.notAfter}; its Secret is kept, Inactive successors are cancelled and their credits returned (R-DELETE).`);
      }
      for (const p of packages.list(cert.metadata.namespace)) pkgController.enqueue(objectKey(p));
      // R-FREE-QUOTA: a deleted free certificate frees its slot for the next in line.
      if (cert.spec.product?.grade === 'free') for (const c of certificates.list(cert.metadata.namespace)) if (c.status?.state === 'PendingApplication') certController.enqueue(objectKey(c));
      return;
    }
    // Our own status writes come back as updates; only spec, annotations or deletion matter.
    if (type === 'update' && old && old.metadata?.generation === cert.metadata?.generation &&
        JSON.stringify(old.metadata?.annotations) === JSON.stringify(cert.metadata?.annotations)) return;
    certController.enqueue(key);
  });
  packages.on((type, pkg) => {
    pkgController.enqueue(objectKey(pkg));
    if (type === 'delete') return;
    // R-INSUFFICIENT: certificates waiting for credits proceed by themselves when credits appear.
    for (const c of certificates.list(pkg.metadata.namespace)) {
      const waiting = c.status?.application?.state === 'Pending' || c.status?.conditions?.some((x) => x.type === 'QuotaAvailable' && x.status === 'False');
      if (waiting) certController.enqueue(objectKey(c));
    }
  });
  secrets.on((type, secret) => {
    const ns = secret.metadata.namespace ?? '';
    if (ns === o.config.caSecret.namespace && secret.metadata.name === o.config.caSecret.name) {
      // A rotated intermediate (R-CAP): re-examine every certificate whose validity was cut.
      void ca.adopt(secret).then((changed) => {
        if (changed) for (const c of certificates.list()) if (c.status?.current?.requestedNotAfter) certController.enqueue(objectKey(c));
      }).catch((e: unknown) => log.warn('could not reload the CA', { error: e instanceof Error ? e.message : String(e) }));
      return;
    }
    // A Secret changed or deleted by hand is repaired by its Certificate; our own write (its serial is
    // the one status records) needs no second look.
    const owner = secret.metadata.labels?.[Label.certificate];
    if (!owner || secret.metadata.labels?.[Label.deploymentTarget]) return;
    if (type !== 'delete' && certificateReconciler.isOwnSecretWrite(ns, secret.metadata.name, secret.metadata.resourceVersion)) return;
    // A Secret whose Certificate is gone (R-DELETE keeps it) has nobody to repair it.
    if (!certificates.get(`${ns}/${owner}`)) return;
    certController.enqueue(`${ns}/${owner}`);
  });

  // The test clock moved: everything due is reconciled at once (the schedulers listen to the clock).
  // Packages may expire on the way.
  const unsubscribeClock = o.clock.onChange(() => {
    for (const p of packages.list()) pkgController.enqueue(objectKey(p));
  });

  let leading = !o.leaderElect;
  let started = false;
  const startControllers = (): void => {
    if (started) return;
    started = true;
    for (const c of controllers) c.start();
    for (const c of certificates.list()) certController.enqueue(objectKey(c));
    for (const p of packages.list()) pkgController.enqueue(objectKey(p));
    for (const t of targets.list()) targetController.enqueue(objectKey(t));
  };

  const informers = [certificates, packages, secrets, targets, ingresses, ...(namespaces ? [namespaces] : [])];
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  await ca.load();

  const resync = setInterval(() => {
    for (const c of certificates.list()) certController.enqueue(objectKey(c));
    for (const p of packages.list()) pkgController.enqueue(objectKey(p));
  }, o.resyncPeriodMs);
  resync.unref();

  let elector: LeaderElector | null = null;
  if (o.leaderElect) {
    elector = new LeaderElector(client, { namespace: o.operatorNamespace, name: 'certhost-operator', identity, log });
    elector.run(() => {
      leading = true;
      startControllers();
    }, () => {
      // Leadership lost: stop reconciling at once; the process exits so a fresh start rejoins cleanly.
      leading = false;
      log.error('leadership lost; stopping', {});
      void stop().then(() => process.exit(1));
    });
  } else {
    startControllers();
  }

  // HTTP: metrics, health (and, with the test clock, /debug/clock on the health address only).
  const servers: Server[] = [];
  const ports: Operator['ports'] = {};
  if (o.metricsAddress !== null) {
    const srv = createServer((req, res) => {
      if (req.url === '/metrics') {
        void m.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': m.registry.contentType });
          res.end(text);
        });
        return;
      }
      res.writeHead(404).end();
    });
    ports.metrics = await listen(srv, o.metricsAddress);
    servers.push(srv);
  }
  if (o.healthAddress !== null) {
    const srv = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/healthz') return json(res, 200, { ok: true });
      if (url === '/readyz') {
        const synced = informers.every((i) => i.hasSynced());
        return json(res, synced ? 200 : 503, { ok: synced, leader: leading, identity });
      }
      if (url === '/debug/clock' && o.clock.kind === 'fake') {
        const fake = o.clock as FakeClock;
        if (req.method === 'GET') return json(res, 200, { now: formatInstant(fake.now()) });
        if (req.method === 'POST') {
          void readBody(req).then((text) => {
            let body: { now?: unknown; advance?: unknown };
            try {
              body = JSON.parse(text) as typeof body;
            } catch {
              return json(res, 400, { error: 'the body must be JSON: {"now": "<RFC3339>"} or {"advance": "720h"}' });
            }
            if (typeof body.now === 'string') {
              const at = parseInstant(body.now);
              if (at === null) return json(res, 400, { error: 'now must be an RFC 3339 time' });
              fake.set(at);
            } else if (typeof body.advance === 'string') {
              const d = parseGoDuration(body.advance);
              if (d === null) return json(res, 400, { error: 'advance must be a Go-style duration such as 720h or 90m' });
              fake.advance(d);
            } else {
              return json(res, 400, { error: 'give "now" or "advance"' });
            }
            log.info('test clock moved', { now: formatInstant(fake.now()) });
            return json(res, 200, { now: formatInstant(fake.now()) });
          }).catch(() => json(res, 400, { error: 'unreadable body' }));
          return;
        }
      }
      res.writeHead(404).end();
    });
    ports.health = await listen(srv, o.healthAddress);
    servers.push(srv);
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(resync);
      unsubscribeClock();
      // Finish in-flight work, then release the lease so a standby takes over at once.
      await Promise.all(controllers.map((c) => c.stop()));
      for (const i of informers) i.stop();
      if (elector) await elector.stop();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    })();
    return stopping;
  };

  return { metrics: m, certificates, isLeader: () => leading, identity, ports, stop };
}
