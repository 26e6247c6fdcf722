// Spec section 5 end to end: DeploymentTargets of every type against a real API server, the test clock,
// and a real TLS listener on loopback that serves what a target's Secret holds (R-VERIFY).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, createServer, type Server } from 'node:tls';
import type { Certificate } from '../../src/api/certificate-types.ts';
import type { DeploymentTarget } from '../../src/api/deployment-target-types.ts';
import type { KubeClient } from '../../src/runtime/kube-client.ts';
import type { IngressObject } from '../../src/targets/target-writes.ts';
import { uniqueNamespaceName, useTestNamespace } from './harness/namespace.ts';
import {
  type Product, type TestOperator, adminClient, certificate, certificatePackage, eventually, getCert, getPackage, hostingPackage, paths, runOperator, secretLeaf, t, waitCert,
} from './support/operator.ts';
import { opensslFacts } from './support/openssl.ts';

const multi: Product = { brand: 'DigiCert', type: 'DV', domainType: 'multi', grade: 'standard' };
const ingressPath = (ns: string, name?: string): string => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses${name ? `/${name}` : ''}`;
const targetPath = (ns: string, name?: string): string => `/apis/certhost.io/v1alpha1/namespaces/${ns}/deploymenttargets${name ? `/${name}` : ''}`;

interface SecretView { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> }

async function createNamespace(c: KubeClient, prefix: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): Promise<string> {
  const name = uniqueNamespaceName(prefix);
  await c.create('/api/v1/namespaces', { metadata: { name, labels, annotations } });
  return name;
}

async function createIngress(c: KubeClient, ns: string, name: string, className: string, hosts: string[], running: boolean, tls: { hosts: string[]; secretName: string }[] = []): Promise<void> {
  await c.create(ingressPath(ns), {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns },
    spec: {
      ingressClassName: className, tls,
      rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } })),
    },
  });
  if (running) await c.patch(`${ingressPath(ns, name)}/status`, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } });
}

function target(ns: string, name: string, spec: DeploymentTarget['spec']): DeploymentTarget {
  return { apiVersion: 'certhost.io/v1alpha1', kind: 'DeploymentTarget', metadata: { name, namespace: ns }, spec };
}

async function getTarget(c: KubeClient, ns: string, name: string): Promise<DeploymentTarget> {
  const x = await c.get<DeploymentTarget>(targetPath(ns, name));
  if (!x) throw new Error(`target ${name} missing`);
  return x;
}

function waitTarget(c: KubeClient, ns: string, name: string, what: string, pred: (x: DeploymentTarget) => boolean, timeoutMs?: number): Promise<DeploymentTarget> {
  return eventually(what, async () => {
    const x = await getTarget(c, ns, name);
    return pred(x) ? x : undefined;
  }, timeoutMs);
}

const serialIn = async (c: KubeClient, ns: string, name: string): Promise<string | undefined> => (await c.get<SecretView>(paths.secret(ns, name)))?.metadata.labels?.['certhost.io/serial'];

describe('rollout to DeploymentTargets (real API server, test clock, TLS listener)', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('rollout');
  let op: TestOperator | undefined;
  afterEach(async () => {
    await op?.stop();
    op = undefined;
  });

  const start = (at = '2025-01-01T00:00:00Z', configure?: Parameters<typeof runOperator>[2]): Promise<TestOperator> =>
    runOperator(ns.name, at, configure, undefined, true).then((o) => (op = o));

  it('R-TENANCY a Secret target copies into its own namespace and into namespaces that allow it; others are skipped and reported', async () => {
    const c = adminClient();
    const allowed = await createNamespace(c, 'allowed', {}, { 'certhost.io/allow-targets-from': ns.name });
    const closed = await createNamespace(c, 'closed');
    await start();
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(targetPath(ns.name), target(ns.name, 'copies', { type: 'Secret', secret: { name: 'shop-copy', namespaces: [ns.name, allowed, closed] } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop', { targets: [{ name: 'copies' }] }));
    const cert = await waitCert(c, ns.name, 'shop', 'issued', (x) => x.status?.revision === 1);
    const serial = cert.status?.current?.serialNumber;
    const tgt = await waitTarget(c, ns.name, 'copies', 'three entries', (x) => (x.status?.deployments?.length ?? 0) === 3);
    assert.deepEqual(tgt.status?.deployments?.map((d) => [d.namespace, d.state]).sort(), [[allowed, 'Deployed'], [closed, 'Failed'], [ns.name, 'Deployed']].sort());
    assert.match(tgt.status?.deployments?.find((d) => d.namespace === closed)?.message ?? '', /^NamespaceNotAllowed/);
    assert.equal(await serialIn(c, ns.name, 'shop-copy'), serial);
    assert.equal(await serialIn(c, allowed, 'shop-copy'), serial);
    assert.equal(await c.get(paths.secret(closed, 'shop-copy')), null);
    const copy = await c.get<SecretView>(paths.secret(allowed, 'shop-copy'));
    const own = await c.get<SecretView>(paths.secret(ns.name, 'shop-tls'));
    assert.equal(copy?.data?.['tls.key'], own?.data?.['tls.key'], 'the key travels with the certificate');
    const mirrored = await waitCert(c, ns.name, 'shop', 'certificate status shows the rollout', (x) => (x.status?.deployments ?? []).some((d) => d.target === 'copies' && d.state === 'Failed'));
    assert.equal(mirrored.status?.conditions?.find((k) => k.type === 'Deployed')?.status, 'False');
  });

  it('R-TENANCY an Ingress target sets spec.tls for the covered hosts and leaves other entries alone; removing the target undeploys', async () => {
    const c = adminClient();
    await start();
    await createIngress(c, ns.name, 'web', 'nginx', ['shop.example.com', 'other.example.org'], true, [{ hosts: ['other.example.org'], secretName: 'someone-elses' }]);
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(targetPath(ns.name), target(ns.name, 'ing', { type: 'Ingress', ingress: { className: 'nginx' } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop', { targets: [{ name: 'ing' }] }));
    await waitTarget(c, ns.name, 'ing', 'deployed', (x) => x.status?.deployments?.[0]?.state === 'Deployed');
    const ing = await c.get<IngressObject>(ingressPath(ns.name, 'web'));
    assert.deepEqual(ing?.spec?.tls, [{ hosts: ['other.example.org'], secretName: 'someone-elses' }, { hosts: ['shop.example.com'], secretName: 'shop-tls-ing' }]);
    assert.ok(await c.get(paths.secret(ns.name, 'shop-tls-ing')));
    await waitCert(c, ns.name, 'shop', 'Deployed condition', (x) => x.status?.conditions?.some((k) => k.type === 'Deployed' && k.status === 'True') === true);

    await c.patch(paths.certificate(ns.name, 'shop'), { spec: { targets: [] } });
    await eventually('undeployed', async () => ((await c.get<IngressObject>(ingressPath(ns.name, 'web')))?.spec?.tls?.length === 1 ? true : undefined));
    const after = await c.get<IngressObject>(ingressPath(ns.name, 'web'));
    assert.deepEqual(after?.spec?.tls, [{ hosts: ['other.example.org'], secretName: 'someone-elses' }]);
    await eventually('copy deleted', async () => ((await c.get(paths.secret(ns.name, 'shop-tls-ing'))) === null ? true : undefined));
  });

  it('R-TARGET-SLB an SLB deploys to every region, with or without a listener, and undeploying removes it from every region', async () => {
    const c = adminClient();
    const region = `slb-${ns.name}`;
    const a = await createNamespace(c, 'region-a', { 'certhost.io/region': region }, { 'certhost.io/allow-targets-from': '*' });
    const b = await createNamespace(c, 'region-b', { 'certhost.io/region': region }, { 'certhost.io/allow-targets-from': ns.name });
    await createIngress(c, a, 'listener', 'slb', ['shop.example.com'], true);
    await start();
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(targetPath(ns.name), target(ns.name, 'slb', { type: 'SLB', ingress: { className: 'slb' }, regions: { namespaceSelector: { matchLabels: { 'certhost.io/region': region } } } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop', { targets: [{ name: 'slb' }] }));
    const tgt = await waitTarget(c, ns.name, 'slb', 'two regions deployed', (x) => (x.status?.deployments ?? []).filter((d) => d.state === 'Deployed').length === 2);
    assert.deepEqual(tgt.status?.deployments?.map((d) => d.namespace).sort(), [a, b].sort());
    assert.ok(await c.get(paths.secret(a, 'shop-tls-slb')));
    assert.ok(await c.get(paths.secret(b, 'shop-tls-slb')), 'a region with no listener gets the certificate too');
    assert.equal((await c.get<IngressObject>(ingressPath(a, 'listener')))?.spec?.tls?.[0]?.secretName, 'shop-tls-slb');

    await c.delete(targetPath(ns.name, 'slb'));
    await eventually('removed from every region', async () =>
      ((await c.get(paths.secret(a, 'shop-tls-slb'))) === null && (await c.get(paths.secret(b, 'shop-tls-slb'))) === null ? true : undefined));
    assert.deepEqual((await c.get<IngressObject>(ingressPath(a, 'listener')))?.spec?.tls ?? [], []);
    await eventually('the target is gone (its finalizer let go)', async () => ((await c.get(targetPath(ns.name, 'slb'))) === null ? true : undefined));
  });

  it('R-TARGET-CDN a CDN deploys only to domains it has and that run: DomainNotFound / DomainNotOnboarded otherwise, and nothing changes', async () => {
    const c = adminClient();
    await start();
    await createIngress(c, ns.name, 'cdn-a', 'cdn', ['a.example.com'], true);
    await createIngress(c, ns.name, 'cdn-b', 'cdn', ['b.example.com'], false);
    await createIngress(c, ns.name, 'waf-c', 'waf', ['c.example.com'], false);
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1, multi));
    await c.create(targetPath(ns.name), target(ns.name, 'cdn', { type: 'CDN', ingress: { className: 'cdn' }, domains: ['a.example.com', 'b.example.com', 'missing.example.com'] }));
    await c.create(targetPath(ns.name), target(ns.name, 'waf', { type: 'WAF', ingress: { className: 'waf' }, domains: ['c.example.com'] }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'site', {
      domains: ['a.example.com', 'b.example.com', 'c.example.com', 'missing.example.com'], product: multi, targets: [{ name: 'cdn' }, { name: 'waf' }],
    }));
    const cdn = await waitTarget(c, ns.name, 'cdn', 'three domains settled', (x) => (x.status?.deployments ?? []).length === 3 && x.status?.deployments?.every((d) => d.state === 'Deployed' || d.state === 'Failed') === true);
    const by = Object.fromEntries((cdn.status?.deployments ?? []).map((d) => [d.domain, [d.state, d.message?.split(':')[0]]]));
    assert.deepEqual(by, { 'a.example.com': ['Deployed', undefined], 'b.example.com': ['Failed', 'DomainNotFound'], 'missing.example.com': ['Failed', 'DomainNotFound'] });
    assert.equal(cdn.status?.conditions?.find((k) => k.type === 'Deployed')?.reason, 'DomainNotFound');
    assert.equal((await c.get<IngressObject>(ingressPath(ns.name, 'cdn-b')))?.spec?.tls, undefined, 'the domain that does not run is left as it was');
    const waf = await waitTarget(c, ns.name, 'waf', 'waf settled', (x) => x.status?.deployments?.[0]?.state === 'Failed');
    assert.match(waf.status?.deployments?.[0]?.message ?? '', /^DomainNotOnboarded/);
    // The domain starts running: the rollout proceeds by itself.
    await c.patch(`${ingressPath(ns.name, 'waf-c')}/status`, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } });
    await waitTarget(c, ns.name, 'waf', 'waf deployed once running', (x) => x.status?.deployments?.[0]?.state === 'Deployed');
  });

  it('R-INHERIT R-AUTODEPLOY-PRE a hosted renewal rolls out to every target by itself; no Ingress ever references a missing Secret; 5 granted credits pay (R-DEPLOY-CREDITS)', async () => {
    const c = adminClient();
    await start('2025-01-01T00:00:00Z');
    await createIngress(c, ns.name, 'edge', 'waf', ['a.example.com', 'b.example.com', 'c.example.com'], true);
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2, multi));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 1));
    await c.create(targetPath(ns.name), target(ns.name, 'waf', { type: 'WAF', ingress: { className: 'waf' }, domains: ['a.example.com', 'b.example.com', 'c.example.com'] }));
    await c.create(targetPath(ns.name), target(ns.name, 'copy', { type: 'Secret', secret: { name: 'site-copy' } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'site', {
      domains: ['a.example.com', 'b.example.com', 'c.example.com'], product: multi, hosting: { enabled: true, servicePeriodYears: 2 },
      autoDeploy: { enabled: true }, targets: [{ name: 'waf' }, { name: 'copy' }],
    }));
    const first = await waitCert(c, ns.name, 'site', 'deployed and AutoDeploy', (x) => x.status?.state === 'AutoDeploy');
    assert.deepEqual(first.status?.deploymentCredits, { granted: 5, used: 0 }, 'the first deployment is manual and free');

    // Watch Ingresses and Secrets for the whole renewal: every tls secretName must exist when seen.
    const violations: string[] = [];
    const present = new Set((await c.list<SecretView>(paths.secret(ns.name))).items.map((s) => s.metadata.name));
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const secrets = new Set((await c.list<SecretView>(paths.secret(ns.name))).items.map((s) => s.metadata.name));
        for (const s of secrets) present.add(s);
        const ing = await c.get<IngressObject>(ingressPath(ns.name, 'edge'));
        for (const e of ing?.spec?.tls ?? []) if (e.secretName && !secrets.has(e.secretName)) violations.push(e.secretName);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    op?.clock.set(t('2025-12-15T00:00:00Z'));
    const renewed = await waitCert(c, ns.name, 'site', 'renewed and rolled out', (x) => x.status?.revision === 2 &&
      (x.status.deployments ?? []).length === 4 && x.status.deployments?.every((d) => d.state === 'Deployed' && d.serialNumber === x.status?.current?.serialNumber) === true, 60_000);
    watching = false;
    await watcher;
    assert.deepEqual(violations, [], 'no Ingress referenced a missing Secret');
    const serial = renewed.status?.current?.serialNumber;
    assert.equal(await serialIn(c, ns.name, 'site-copy'), serial);
    assert.equal(await serialIn(c, ns.name, 'site-tls-waf'), serial);
    // 3 WAF domains + 1 Secret target = 4 deployments, paid from the 5 granted (R-DEPLOY-CREDITS).
    assert.deepEqual(renewed.status?.deploymentCredits, { granted: 5, used: 4 });
    // One Ingress serves the three domains: one TLS entry lists them all, and it stays put (no write loop).
    const edge = await c.get<IngressObject>(ingressPath(ns.name, 'edge'));
    assert.deepEqual(edge?.spec?.tls, [{ hosts: ['a.example.com', 'b.example.com', 'c.example.com'], secretName: 'site-tls-waf' }]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await c.get<IngressObject>(ingressPath(ns.name, 'edge')))?.metadata.resourceVersion, edge?.metadata.resourceVersion, 'the operator leaves a settled Ingress alone');
  });

  it('R-ROLLOUT-SAFE without auto-deploy a manual renewal stays off the targets until certhost.io/deploy asks for it', async () => {
    const c = adminClient();
    await start('2025-01-01T00:00:00Z');
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    await c.create(targetPath(ns.name), target(ns.name, 'copy', { type: 'Secret', secret: { name: 'copy' } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop', { targets: [{ name: 'copy' }] }));
    const first = await waitCert(c, ns.name, 'shop', 'deployed', (x) => x.status?.deployments?.[0]?.state === 'Deployed');
    op?.clock.set(t('2025-12-15T00:00:00Z'));
    await c.patch(paths.certificate(ns.name, 'shop'), { metadata: { annotations: { 'certhost.io/renew': '1' } } });
    const renewed = await waitCert(c, ns.name, 'shop', 'renewed, not deployed', (x) => x.status?.revision === 2 && x.status.conditions?.find((k) => k.type === 'Deployed')?.reason === 'NewerCertificateNotDeployed');
    assert.equal(await serialIn(c, ns.name, 'copy'), first.status?.current?.serialNumber, 'the target keeps serving the predecessor');
    await c.patch(paths.certificate(ns.name, 'shop'), { metadata: { annotations: { 'certhost.io/deploy': 'now' } } });
    await eventually('deployed by hand', async () => ((await serialIn(c, ns.name, 'copy')) === renewed.status?.current?.serialNumber ? true : undefined));
  });

  it('R-VERIFY a rollout completes when the address serves the new serial, and rolls back when it serves another', async () => {
    const c = adminClient();
    const dir = mkdtempSync(join(tmpdir(), 'certhost-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=wrong.example.com', '-days', '2'], { stdio: 'ignore' });
    const wrong = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
    rmSync(dir, { recursive: true, force: true });
    // The "load balancer": serves, per SNI, what the target's copy Secret holds right now.
    const copyName = 'good-tls-lb';
    const good: Server = createServer({ ...wrong, SNICallback: (_name, cb) => {
      void c.get<SecretView>(paths.secret(ns.name, copyName)).then((s) => {
        const crt = s?.data?.['tls.crt'];
        const key = s?.data?.['tls.key'];
        cb(null, crt && key ? createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') }) : createSecureContext(wrong));
      }, (e: Error) => cb(e));
    } });
    const bad: Server = createServer(wrong);
    await new Promise<void>((r) => good.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    try {
      // Real time: long enough for the good listener to be seen serving the new serial on a slow machine;
      // the bad listener never does, so lb2 fails once this much has passed.
      await start('2025-01-01T00:00:00Z', (cfg) => { cfg.verifyTimeoutMs = 10_000; });
      await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
      await createIngress(c, ns.name, 'lb', 'lb', ['good.example.com', 'bad.example.com'], true);
      await c.create(targetPath(ns.name), target(ns.name, 'lb', { type: 'Ingress', ingress: { className: 'lb' }, verify: { address: '127.0.0.1', port: (good.address() as AddressInfo).port } }));
      await c.create(targetPath(ns.name), target(ns.name, 'lb2', { type: 'Ingress', ingress: { className: 'lb' }, verify: { address: '127.0.0.1', port: (bad.address() as AddressInfo).port } }));
      await c.create(paths.certificate(ns.name), certificate(ns.name, 'good', { targets: [{ name: 'lb' }] }));
      await waitTarget(c, ns.name, 'lb', 'verified', (x) => x.status?.deployments?.[0]?.state === 'Deployed', 60_000);

      // A certificate rolled out where the listener keeps serving something else: verification fails.
      await c.create(paths.certificate(ns.name), certificate(ns.name, 'bad', { targets: [{ name: 'lb2' }] }));
      const failed = await waitTarget(c, ns.name, 'lb2', 'verification failed', (x) => x.status?.deployments?.[0]?.state === 'Failed', 60_000);
      assert.match(failed.status?.deployments?.[0]?.message ?? '', /^VerificationFailed: bad\.example\.com is served with serial/);
      const cert = await getCert(c, ns.name, 'bad');
      assert.equal((await waitCert(c, ns.name, 'bad', 'failure mirrored', (x) => x.status?.deployments?.[0]?.state === 'Failed')).status?.conditions?.find((k) => k.type === 'Deployed')?.reason, 'DeploymentFailed');
      void cert;
    } finally {
      good.close();
      bad.close();
    }
  });

  it('workloads that use the Secret are restarted once per new certificate', async () => {
    const c = adminClient();
    await start('2025-01-01T00:00:00Z');
    await c.create(`/apis/apps/v1/namespaces/${ns.name}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    await c.create(targetPath(ns.name), target(ns.name, 'copy', { type: 'Secret', secret: { name: 'web-copy' }, restartWorkloads: { selector: { matchLabels: { app: 'web' } } } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'web', { targets: [{ name: 'copy' }] }));
    const first = await waitCert(c, ns.name, 'web', 'deployed', (x) => x.status?.deployments?.[0]?.state === 'Deployed');
    const generation = async (): Promise<[number, string | undefined]> => {
      const d = await c.get<{ metadata: { generation: number }; spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(`/apis/apps/v1/namespaces/${ns.name}/deployments/web`);
      return [d?.metadata.generation ?? 0, d?.spec.template.metadata.annotations?.['certhost.io/restarted-for-serial']];
    };
    const [g1, s1] = await eventually('restarted', async () => ((await generation())[1] ? generation() : undefined));
    assert.equal(s1, first.status?.current?.serialNumber);
    // Reconciling again (a resync, a status change) does not restart again.
    await c.patch(targetPath(ns.name, 'copy'), { metadata: { labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await generation())[0], g1);
    op?.clock.set(t('2025-12-15T00:00:00Z'));
    await c.patch(paths.certificate(ns.name, 'web'), { metadata: { annotations: { 'certhost.io/renew': '1', 'certhost.io/deploy': '1' } } });
    const renewed = await waitCert(c, ns.name, 'web', 'renewed and deployed', (x) => x.status?.revision === 2 && x.status.deployments?.[0]?.serialNumber === x.status.current?.serialNumber && x.status.deployments?.[0]?.state === 'Deployed');
    const [g2, s2] = await eventually('restarted for the renewal', async () => ((await generation())[1] === renewed.status?.current?.serialNumber ? generation() : undefined));
    assert.equal(g2, g1 + 1, 'exactly one more restart');
    assert.equal(s2, renewed.status?.current?.serialNumber);
  });

  it('R-PROFILE under the CA/B schedule a hosted year is several certificates of one revision, each rolled out by itself at no credit', async () => {
    const c = adminClient();
    await start('2027-04-01T00:00:00Z', (cfg) => { cfg.defaultBrand = { ...cfg.defaultBrand, profile: { ...cfg.defaultBrand.profile, cabSchedule: true } }; });
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 1));
    await c.create(targetPath(ns.name), target(ns.name, 'copy', { type: 'Secret', secret: { name: 'year-copy' } }));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'year', { hosting: { enabled: true, servicePeriodYears: 2 }, targets: [{ name: 'copy' }] }));
    const first = await waitCert(c, ns.name, 'year', 'revision 1 deployed', (x) => x.status?.revision === 1 && x.status.deployments?.[0]?.state === 'Deployed');
    // 100-day maximum from 2027-03-15: the first certificate, and the year it starts (365 d).
    assert.deepEqual([first.status?.current?.notAfter, first.status?.current?.serviceYearEnd, first.status?.state], ['2027-07-10T00:00:00Z', '2028-03-31T00:00:00Z', 'Hosted']);
    assert.deepEqual(first.status?.successors?.map((s) => [s.revision, s.submitAt]), [[2, '2028-03-02T16:00:00Z']], 'the next year waits for the last certificate of this one');
    assert.equal(first.status?.servicePeriod?.end, '2029-03-31T00:00:00Z', 'two service years of 365 d, whatever the certificates inside them');
    const credits = async (): Promise<number[]> => {
      const [certs, hosting] = [await getPackage(c, ns.name, 'certs'), await getPackage(c, ns.name, 'hosting')];
      return [certs.status?.used ?? -1, certs.status?.reserved ?? -1, hosting.status?.used ?? -1, hosting.status?.reserved ?? -1];
    };
    assert.deepEqual(await credits(), [1, 1, 0, 1]);

    // The window of the first certificate opens: the next one of the same year, same revision, new serial.
    op?.clock.set(t('2027-06-10T00:00:00Z'));
    const rolled = await waitCert(c, ns.name, 'year', 'rolled over and deployed', (x) => x.status?.current?.serialNumber !== first.status?.current?.serialNumber &&
      x.status?.deployments?.[0]?.serialNumber === x.status?.current?.serialNumber && x.status?.deployments?.[0]?.state === 'Deployed');
    assert.equal(rolled.status?.revision, 1);
    assert.deepEqual([rolled.status?.current?.notBefore, rolled.status?.current?.notAfter, rolled.status?.current?.serviceYearEnd], ['2027-06-10T00:00:00Z', '2027-09-18T00:00:00Z', '2028-03-31T00:00:00Z']);
    assert.deepEqual(rolled.status?.history?.map((h) => [h.revision, h.endedBy, h.serialNumber]), [[1, 'RolledOver', first.status?.current?.serialNumber]]);
    const facts = opensslFacts((await secretLeaf(c, ns.name, 'year-tls'))?.pem ?? '');
    assert.deepEqual([facts.notBefore, facts.notAfter, facts.serial], ['2027-06-10T00:00:00Z', '2027-09-18T00:00:00Z', rolled.status?.current?.serialNumber]);
    assert.equal(await serialIn(c, ns.name, 'year-copy'), rolled.status?.current?.serialNumber, 'the target serves the new certificate without a deploy request');
    assert.deepEqual(rolled.status?.deploymentCredits, { granted: 5, used: 0 }, 'a rollover of the deployed revision costs no deployment credit');
    assert.deepEqual(await credits(), [1, 1, 0, 1], 'a rollover spends no credit');
    assert.equal(rolled.status?.state, 'Hosted');

    // The operator was away past the year's third and fourth windows: one rollover from now to the next 100 days.
    op?.clock.set(t('2028-01-20T00:00:00Z'));
    const late = await waitCert(c, ns.name, 'year', 'rolled over after the jump', (x) => x.status?.current?.notBefore === '2028-01-20T00:00:00Z');
    assert.deepEqual([late.status?.revision, late.status?.current?.notAfter, late.status?.current?.serviceYearEnd], [1, '2028-03-31T00:00:00Z', undefined], 'the last certificate of the year ends with it');

    // The window of the year's last certificate (71 d, window 71/3 d) opens: the second year is submitted with its carry.
    const submitAt = (await getCert(c, ns.name, 'year')).status?.successors?.[0]?.submitAt ?? '';
    assert.equal(submitAt, '2028-03-07T08:00:00Z');
    op?.clock.set(t(submitAt));
    const year2 = await waitCert(c, ns.name, 'year', 'revision 2 issued', (x) => x.status?.revision === 2);
    assert.deepEqual([year2.status?.current?.notAfter, year2.status?.current?.serviceYearEnd], ['2028-06-15T08:00:00Z', '2029-03-31T00:00:00Z'], 'R-CARRY: the second year ends 365 d after the first');
    assert.deepEqual(await credits(), [2, 0, 1, 0]);
    assert.equal(year2.status?.state, 'Hosted', 'its own rollovers are still to come in the last year of the period');
    assert.equal(year2.status?.servicePeriod?.end, '2029-03-31T00:00:00Z');
  });
});

export type { Certificate };
