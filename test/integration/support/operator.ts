// The operator in-process against the run's real API server, scoped to one test namespace, with the
// test clock (the only fake). Helpers to create objects, move the clock and wait for what a user sees.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Certificate } from '../../../src/api/certificate-types.ts';
import type { HostingPackage } from '../../../src/api/hosting-package-types.ts';
import { defaultConfig, type OperatorConfig } from '../../../src/config/operator-config.ts';
import { type Operator, startOperator } from '../../../src/operator.ts';
import { FakeClock } from '../../../src/runtime/clock.ts';
import { KubeClient, resourcePath } from '../../../src/runtime/kube-client.ts';
import { createLogger } from '../../../src/runtime/logger.ts';
import type { SecretObject } from '../../../src/controllers/tls-secret.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../harness/cluster.ts';

export const t = (s: string): number => Date.parse(s);

export interface TestOperator {
  clock: FakeClock;
  operator: Operator;
  client: KubeClient;
  stop(): Promise<void>;
}

export function adminClient(): KubeClient {
  return new KubeClient(loadKubeConfig(), { qps: 1000, burst: 1000 });
}

export async function runOperator(namespace: string, start: string, configure: (c: OperatorConfig) => void = () => undefined, kubeConfig?: KubeConfig, clusterWide = false): Promise<TestOperator> {
  const clock = new FakeClock(t(start));
  const config = defaultConfig(namespace);
  configure(config);
  const logs: string[] = [];
  const log = createLogger(process.env.CERTHOST_TEST_LOGS ? 'debug' : 'warn', clock, { ns: namespace }, (l) => {
    logs.push(l);
    if (process.env.CERTHOST_TEST_LOGS) process.stderr.write(`${l}\n`);
  });
  const operator = await startOperator({
    kubeConfig: kubeConfig ?? loadKubeConfig(), clock, log, config, ...(clusterWide ? {} : { namespace }), workers: 4, qps: 500, burst: 1000,
    leaderElect: false, operatorNamespace: namespace, metricsAddress: null, healthAddress: null, resyncPeriodMs: 10 * 3600_000,
  });
  return { clock, operator, client: kubeConfig ? new KubeClient(kubeConfig, { qps: 1000, burst: 1000 }) : adminClient(), stop: () => operator.stop() };
}

export const paths = {
  certificate: (ns: string, name?: string) => resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'certificates', namespace: ns, ...(name ? { name } : {}) }),
  package: (ns: string, name?: string) => resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'hostingpackages', namespace: ns, ...(name ? { name } : {}) }),
  secret: (ns: string, name?: string) => resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: ns, ...(name ? { name } : {}) }),
  events: (ns: string) => resourcePath({ group: 'events.k8s.io', version: 'v1', plural: 'events', namespace: ns }),
};

/** Polls until `check` returns a value (not undefined); the last failure explains a timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

export async function getCert(c: KubeClient, ns: string, name: string): Promise<Certificate> {
  const cert = await c.get<Certificate>(paths.certificate(ns, name));
  if (!cert) throw new Error(`Certificate ${ns}/${name} not found`);
  return cert;
}

/** Waits until the certificate's status says `pred`. */
export function waitCert(c: KubeClient, ns: string, name: string, what: string, pred: (cert: Certificate) => boolean, timeoutMs?: number): Promise<Certificate> {
  return eventually(what, async () => {
    const cert = await getCert(c, ns, name);
    return pred(cert) ? cert : undefined;
  }, timeoutMs);
}

export async function getPackage(c: KubeClient, ns: string, name: string): Promise<HostingPackage> {
  const p = await c.get<HostingPackage>(paths.package(ns, name));
  if (!p) throw new Error(`HostingPackage ${ns}/${name} not found`);
  return p;
}

export interface Product { brand: string; type: 'DV' | 'OV' | 'EV'; domainType: 'single' | 'multi' | 'wildcard' | 'mixed'; grade: 'free' | 'test' | 'standard' | 'premium' }
export const dvSingle: Product = { brand: 'DigiCert', type: 'DV', domainType: 'single', grade: 'standard' };

export function certificatePackage(ns: string, name: string, quantity: number, product: Product = dvSingle): HostingPackage {
  return { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name, namespace: ns }, spec: { type: 'Certificate', product, quantity } };
}

export function hostingPackage(ns: string, name: string, quantity: number): HostingPackage {
  return { apiVersion: 'certhost.io/v1alpha1', kind: 'HostingPackage', metadata: { name, namespace: ns }, spec: { type: 'Hosting', quantity } };
}

export function certificate(ns: string, name: string, spec: Partial<Certificate['spec']> = {}): Certificate {
  return {
    apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate', metadata: { name, namespace: ns },
    spec: { domains: [`${name}.example.com`], product: dvSingle, secretName: `${name}-tls`, ...spec },
  };
}

/** The X.509 facts of what the Secret really holds, read with openssl-independent parsing of the PEM. */
export async function secretLeaf(c: KubeClient, ns: string, name: string): Promise<{ pem: string; serial: string } | null> {
  const s = await c.get<SecretObject>(paths.secret(ns, name));
  const crt = s?.data?.['tls.crt'];
  if (!crt) return null;
  const pem = Buffer.from(crt, 'base64').toString('utf8');
  return { pem, serial: s.metadata.labels?.['certhost.io/serial'] ?? '' };
}

export interface EventView { reason: string; note: string; type: string; regarding: string }

export async function events(c: KubeClient, ns: string): Promise<EventView[]> {
  const list = await c.list<{ reason?: string; note?: string; type?: string; eventTime?: string; metadata?: { creationTimestamp?: string; name?: string }; regarding?: { name?: string }; series?: { count?: number } }>(paths.events(ns));
  // In the order they happened on the test clock (eventTime), then as the server created them.
  list.items.sort((a, b) => (a.eventTime ?? '').localeCompare(b.eventTime ?? '') || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
  return list.items.flatMap((e) => Array.from({ length: e.series?.count ?? 1 }, () => ({ reason: e.reason ?? '', note: e.note ?? '', type: e.type ?? '', regarding: e.regarding?.name ?? '' })));
}
