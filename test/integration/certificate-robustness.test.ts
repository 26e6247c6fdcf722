// Credits under contention, Secrets changed by hand, Secrets that belong to someone else, uploads,
// free quota and R-CAP: what must hold whatever users and other writers do.
import assert from 'node:assert/strict';
import type { Certificate } from '../../src/api/certificate-types.ts';
import type { HostingPackage } from '../../src/api/hosting-package-types.ts';
import { addIntermediate, createCaHierarchy, serializeCaHierarchy } from '../../src/issuers/builtin/ca-hierarchy.ts';
import { useTestNamespace } from './harness/namespace.ts';
import { type TestOperator, certificate, certificatePackage, dvSingle, eventually, events, getPackage, paths, runOperator, secretLeaf, t, waitCert } from './support/operator.ts';
import { opensslFacts } from './support/openssl.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('credits, Secrets and uploads under stress (real API server)', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('robust');
  let op: TestOperator | undefined;
  afterEach(async () => {
    await op?.stop();
    op = undefined;
  });

  it('R-CONSUME twenty certificates racing for five credits: exactly five issued, the ledger adds up', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'a-certs', 3));
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'b-certs', 2));
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.create(paths.certificate(ns.name), certificate(ns.name, `race-${i}`))));
    const settled = await eventually('every certificate settled', async () => {
      const list = await c.list<Certificate>(paths.certificate(ns.name));
      const states = list.items.map((x) => x.status?.state);
      return states.filter((s) => s === 'Issued').length === 5 && states.filter((s) => s === 'PendingApplication').length === 15 ? list.items : undefined;
    }, 60_000);
    const pkgs = (await c.list<HostingPackage>(paths.package(ns.name))).items;
    const used = pkgs.reduce((n, p) => n + (p.status?.used ?? 0), 0);
    const keys = pkgs.flatMap((p) => (p.status?.ledger ?? []).filter((e) => e.state === 'consumed').map((e) => e.key));
    assert.equal(used, 5);
    assert.equal(new Set(keys).size, 5, 'five distinct ledger keys');
    const issuedUids = settled.filter((x) => x.status?.state === 'Issued').map((x) => x.metadata.uid);
    assert.deepEqual(keys.map((k) => k.split('/')[0]).sort(), [...issuedUids].sort(), 'each consumed credit belongs to an issued certificate');
    for (const p of pkgs) assert.equal(p.status?.available, 0);
    const waiting = settled.find((x) => x.status?.state === 'PendingApplication');
    assert.match(waiting?.status?.conditions?.find((k) => k.type === 'QuotaAvailable')?.message ?? '', /certificate credit/);
  });

  it('R-ROLLOUT-SAFE a Secret deleted by hand is re-issued with the same expiry; a Secret changed by hand is repaired', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'fix'));
    const first = await waitCert(c, ns.name, 'fix', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t('2025-02-01T00:00:00Z'));
    await c.delete(paths.secret(ns.name, 'fix-tls'));
    const again = await waitCert(c, ns.name, 'fix', 'repaired', (x) => x.status?.current?.serialNumber !== first.status?.current?.serialNumber);
    assert.equal(again.status?.revision, 1, 'a repair is not a new revision');
    assert.equal(again.status?.current?.notAfter, first.status?.current?.notAfter, 'the expiry date is kept');
    const leaf = await secretLeaf(c, ns.name, 'fix-tls');
    assert.equal(opensslFacts(leaf?.pem ?? '').serial, again.status?.current?.serialNumber);
    assert.equal(opensslFacts(leaf?.pem ?? '').notAfter, '2026-01-01T00:00:00Z');

    await c.patch(paths.secret(ns.name, 'fix-tls'), { data: { 'tls.crt': b64('garbage') } });
    const third = await waitCert(c, ns.name, 'fix', 'repaired again', (x) => x.status?.current?.serialNumber !== again.status?.current?.serialNumber);
    assert.equal(opensslFacts((await secretLeaf(c, ns.name, 'fix-tls'))?.pem ?? '').serial, third.status?.current?.serialNumber);
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used, 1, 'repairs spend no credit');
  });

  it('R-TENANCY a Secret that belongs to someone else is reported (SecretConflict), not overwritten, and nothing is spent', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'taken-tls', namespace: ns.name }, type: 'Opaque', data: { note: b64('mine') } });
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'taken'));
    const conflict = await waitCert(c, ns.name, 'taken', 'SecretConflict', (x) => x.status?.conditions?.some((k) => k.reason === 'SecretConflict') === true);
    assert.match(conflict.status?.conditions?.find((k) => k.type === 'Ready')?.message ?? '', /spec\.secretName/);
    const s = await c.get<{ data?: Record<string, string> }>(paths.secret(ns.name, 'taken-tls'));
    assert.deepEqual(Object.keys(s?.data ?? {}), ['note']);
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used ?? 0, 0);
    await eventually('a SecretConflict event', async () => ((await events(c, ns.name)).some((e) => e.reason === 'SecretConflict') ? true : undefined));
  });

  it('R-NOT-RENEWABLE an uploaded certificate is tracked as Uploaded, copied to its Secret, and a malformed one is reported', async () => {
    // A third-party certificate made with openssl (valid 120 days from the real now); the test clock
    // starts a day into its validity.
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`,
      '-subj', '/CN=up.example.com', '-addext', 'subjectAltName=DNS:up.example.com', '-days', '120'], { stdio: 'ignore' });
    const crt = readFileSync(`${dir}/c.pem`, 'utf8');
    const key = readFileSync(`${dir}/k.pem`, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    const facts = opensslFacts(crt);
    op = await runOperator(ns.name, new Date(t(facts.notBefore) + 86400_000).toISOString());
    const c = op.client;
    await c.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'third-party', namespace: ns.name }, data: { 'tls.crt': b64(crt), 'tls.key': b64(key) } });
    await c.create(paths.certificate(ns.name), { apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate', metadata: { name: 'up', namespace: ns.name }, spec: { domains: ['up.example.com'], secretName: 'up-tls', source: 'Upload', upload: { secretRef: { name: 'third-party' } } } });
    const up = await waitCert(c, ns.name, 'up', 'Uploaded', (x) => x.status?.state === 'Uploaded');
    assert.equal(up.status?.current?.notAfter, facts.notAfter);
    assert.equal(opensslFacts((await secretLeaf(c, ns.name, 'up-tls'))?.pem ?? '').serial, up.status?.current?.serialNumber);
    op.clock.set(t(facts.notAfter) - 10 * 86400_000);
    await waitCert(c, ns.name, 'up', 'ExpiringSoon in the window', (x) => x.status?.state === 'ExpiringSoon');
    await c.patch(paths.certificate(ns.name, 'up'), { metadata: { annotations: { 'certhost.io/renew': 'x' } } });
    op.clock.set(t(facts.notAfter) + 86400_000);
    await waitCert(c, ns.name, 'up', 'Expired, never renewed', (x) => x.status?.state === 'Expired' && x.status.revision === 1);

    await c.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'broken', namespace: ns.name }, data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'), 'tls.key': b64(key) } });
    await c.create(paths.certificate(ns.name), { apiVersion: 'certhost.io/v1alpha1', kind: 'Certificate', metadata: { name: 'bad', namespace: ns.name }, spec: { domains: ['up.example.com'], secretName: 'bad-tls', source: 'Upload', upload: { secretRef: { name: 'broken' } } } });
    const bad = await waitCert(c, ns.name, 'bad', 'UploadInvalid', (x) => x.status?.conditions?.some((k) => k.reason === 'UploadInvalid') === true);
    const msg = bad.status?.conditions?.find((k) => k.type === 'Ready')?.message ?? '';
    assert.ok(msg.length > 20);
    assert.ok(!msg.includes('PRIVATE KEY') && !msg.includes(key.split('\n')[1] ?? '###'), 'no key material in the message');
  });

  it('R-FREE-QUOTA a free certificate beyond the yearly quota waits, and gets the slot a deleted one frees', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z', (cfg) => { cfg.freeQuotaPerYear = 2; });
    const c = op.client;
    const free = { ...dvSingle, grade: 'free' as const };
    for (const n of ['f1', 'f2', 'f3']) {
      await c.create(paths.certificate(ns.name), certificate(ns.name, n, { product: free }));
      await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution: keep the order clear
    }
    const waiting = await waitCert(c, ns.name, 'f3', 'f3 waits for quota', (x) => x.status?.state === 'PendingApplication');
    assert.equal(waiting.status?.conditions?.find((k) => k.type === 'QuotaAvailable')?.reason, 'FreeQuotaExhausted');
    await waitCert(c, ns.name, 'f1', 'f1 issued', (x) => x.status?.state === 'Issued');
    await c.delete(paths.certificate(ns.name, 'f1'));
    await waitCert(c, ns.name, 'f3', 'f3 issued once f1 is deleted', (x) => x.status?.state === 'Issued');
  });

  it('R-CAP a leaf cut by an expiring intermediate reports ValidityTruncated and is re-issued to its original expiry when a newer intermediate appears', async () => {
    // The CA Secret is prepared with an intermediate that ends 2025-06-01, and rotation is left to the test.
    const start = new Date(t('2025-01-01T00:00:00Z'));
    const h = await createCaHierarchy({ now: start, brands: ['DigiCert'], intermediateValiditySeconds: 151 * 86400 });
    const caData = Object.fromEntries(Object.entries(serializeCaHierarchy(h)).map(([k, v]) => [k, b64(v)]));
    const admin = (await import('./support/operator.ts')).adminClient();
    await admin.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'certhost-ca', namespace: ns.name, labels: { 'app.kubernetes.io/managed-by': 'certhost' } }, data: caData });
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z', (cfg) => { cfg.caAutoRotate = false; });
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'cut'));
    const cut = await waitCert(c, ns.name, 'cut', 'issued truncated', (x) => x.status?.revision === 1);
    assert.equal(cut.status?.current?.notAfter, '2025-06-01T00:00:00Z');
    assert.equal(cut.status?.current?.requestedNotAfter, '2026-01-01T00:00:00Z');
    assert.equal(cut.status?.conditions?.find((k) => k.type === 'ValidityTruncated')?.status, 'True');

    const rotated = await addIntermediate(h, 'DigiCert', { now: start });
    const secret = await c.get<{ metadata: { resourceVersion: string } }>(paths.secret(ns.name, 'certhost-ca'));
    await c.replace(paths.secret(ns.name, 'certhost-ca'), {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: 'certhost-ca', namespace: ns.name, resourceVersion: secret?.metadata.resourceVersion, labels: { 'app.kubernetes.io/managed-by': 'certhost' } },
      data: Object.fromEntries(Object.entries(serializeCaHierarchy(rotated)).map(([k, v]) => [k, b64(v)])),
    });
    const full = await waitCert(c, ns.name, 'cut', 're-issued with full validity', (x) => x.status?.current?.notAfter === '2026-01-01T00:00:00Z');
    assert.equal(full.status?.revision, 1);
    assert.equal(full.status?.conditions?.find((k) => k.type === 'ValidityTruncated')?.status, 'False');
    assert.equal(opensslFacts((await secretLeaf(c, ns.name, 'cut-tls'))?.pem ?? '').notAfter, '2026-01-01T00:00:00Z');
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used, 1, 'the re-issue spends nothing');
  });

  it('R-KEY a manual CSR is issued without the operator ever holding the key; a CSR for other names is refused once, not in a loop', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const csrFor = (cn: string): string => {
      execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/${cn}.key`, '-out', `${dir}/${cn}.csr`,
        '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`], { stdio: 'ignore' });
      return readFileSync(`${dir}/${cn}.csr`, 'utf8');
    };
    const good = csrFor('own.example.com');
    const other = csrFor('other.example.com');
    rmSync(dir, { recursive: true, force: true });
    for (const [name, csr] of [['own-csr', good], ['wrong-csr', other]] as const) {
      await c.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace: ns.name }, data: { 'tls.csr': b64(csr) } });
    }
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'own', { domains: ['own.example.com'], csr: { secretRef: { name: 'own-csr' } } }));
    const own = await waitCert(c, ns.name, 'own', 'issued from the CSR', (x) => x.status?.revision === 1);
    const secret = await c.get<{ type?: string; data?: Record<string, string> }>(paths.secret(ns.name, 'own-tls'));
    assert.equal(secret?.data?.['tls.key'], undefined, 'the operator never holds the key');
    assert.equal(opensslFacts(Buffer.from(secret?.data?.['tls.crt'] ?? '', 'base64').toString()).serial, own.status?.current?.serialNumber);

    await c.create(paths.certificate(ns.name), certificate(ns.name, 'wrong', { domains: ['wrong.example.com'], csr: { secretRef: { name: 'wrong-csr' } } }));
    const refused = await waitCert(c, ns.name, 'wrong', 'refused', (x) => x.status?.conditions?.some((k) => k.type === 'Ready' && k.reason === 'CSRNameMismatch') === true);
    assert.match(refused.status?.conditions?.find((k) => k.type === 'Ready')?.message ?? '', /other\.example\.com|wrong\.example\.com/);
    const reconciles = async (): Promise<number> => {
      const text = await op?.operator.metrics.registry.getSingleMetricAsString('certhost_reconcile_total');
      return [...(text ?? '').matchAll(/controller="certificate"[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await reconciles();
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok((await reconciles()) - before <= 2, 'the refusal settles instead of looping');
    const mismatches = async (): Promise<number> => (await events(c, ns.name)).filter((e) => e.regarding === 'wrong' && e.reason === 'CSRNameMismatch').length;
    await eventually('a CSRNameMismatch event', async () => ((await mismatches()) >= 1 ? true : undefined));
    assert.equal(await mismatches(), 1, 'one Warning event');
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used, 1, 'the refused CSR cost no credit (checked before applying)');
    assert.equal(refused.status?.state, 'PendingApplication');
  });
});
