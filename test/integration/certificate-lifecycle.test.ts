// The lifecycle of spec sections 2, 3 and 7 end to end: a real API server, the operator in-process,
// the test clock, and the X.509 certificate in the Secret read back with openssl.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestNamespace } from './harness/namespace.ts';
import {
  type TestOperator, certificate, certificatePackage, eventually, events, getCert, getPackage, hostingPackage, paths, runOperator, secretLeaf, t, waitCert,
} from './support/operator.ts';
import { opensslFacts } from './support/openssl.ts';

describe('certificate lifecycle (real API server, test clock)', function () {
  this.timeout(120_000);
  const ns = useTestNamespace('lifecycle');
  let op: TestOperator | undefined;
  afterEach(async () => {
    await op?.stop();
    op = undefined;
  });

  const renew = async (name: string, value: string): Promise<void> => {
    await op?.client.patch(paths.certificate(ns.name, name), { metadata: { annotations: { 'certhost.io/renew': value } } });
  };

  it('R-CARRY in window: a manual renewal issued 2025-09-10 expires 2026-10-01 (21 d carried, 386 d)', async () => {
    op = await runOperator(ns.name, '2024-10-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop'));
    const first = await waitCert(c, ns.name, 'shop', 'revision 1 issued', (x) => x.status?.revision === 1 && x.status.state === 'Issued');
    assert.equal(first.status?.current?.notAfter, '2025-10-01T00:00:00Z');

    op.clock.set(t('2025-09-10T00:00:00Z'));
    await waitCert(c, ns.name, 'shop', 'ExpiringSoon in the window', (x) => x.status?.state === 'ExpiringSoon');
    await renew('shop', 'r1');
    const second = await waitCert(c, ns.name, 'shop', 'revision 2 issued', (x) => x.status?.revision === 2);
    assert.equal(second.status?.current?.carriedOverSeconds, 21 * 86400);
    const leaf = await secretLeaf(c, ns.name, 'shop-tls');
    assert.ok(leaf);
    const facts = opensslFacts(leaf.pem);
    assert.equal(facts.notBefore, '2025-09-10T00:00:00Z');
    assert.equal(facts.notAfter, '2026-10-01T00:00:00Z');
    assert.equal(facts.serial, second.status?.current?.serialNumber);
    assert.deepEqual(second.status?.history?.map((h) => [h.revision, h.endedBy]), [[1, 'Renewed']]);
    const pkg = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([pkg.status?.used, pkg.status?.available], [2, 0]);
  });

  it('R-EARLY hosting bought 2025-08-15 queues an Inactive successor, submitted 2025-09-01 with 395 d to 2026-10-01 (R-HOSTING-LATER)', async () => {
    op = await runOperator(ns.name, '2024-10-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 5));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 5));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'shop'));
    await waitCert(c, ns.name, 'shop', 'revision 1', (x) => x.status?.revision === 1);

    op.clock.set(t('2025-08-15T00:00:00Z'));
    await c.patch(paths.certificate(ns.name, 'shop'), { spec: { hosting: { enabled: true, servicePeriodYears: 2 } } });
    const queued = await waitCert(c, ns.name, 'shop', 'an Inactive successor', (x) => (x.status?.successors?.length ?? 0) === 1);
    assert.deepEqual(queued.status?.successors, [{ revision: 2, state: 'Inactive', submitAt: '2025-09-01T00:00:00Z' }]);
    assert.equal(queued.status?.state, 'Hosted');
    assert.deepEqual([(await getPackage(c, ns.name, 'hosting')).status?.reserved, (await getPackage(c, ns.name, 'certs')).status?.reserved], [1, 1]);

    op.clock.set(t('2025-08-31T23:59:59Z'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getCert(c, ns.name, 'shop')).status?.revision, 1, 'not submitted before the window opens');

    op.clock.set(t('2025-09-01T00:00:00Z'));
    const renewed = await waitCert(c, ns.name, 'shop', 'revision 2 issued at the window', (x) => x.status?.revision === 2);
    assert.equal(renewed.status?.current?.carriedOverSeconds, 30 * 86400);
    const facts = opensslFacts((await secretLeaf(c, ns.name, 'shop-tls'))?.pem ?? '');
    assert.equal(facts.notBefore, '2025-09-01T00:00:00Z');
    assert.equal(facts.notAfter, '2026-10-01T00:00:00Z');
    assert.equal((t(facts.notAfter) - t(facts.notBefore)) / 86400_000, 395);
    // The last year of the service period is in use: no longer hosted.
    assert.equal(renewed.status?.state, 'Issued');
    const certs = await getPackage(c, ns.name, 'certs');
    const hosting = await getPackage(c, ns.name, 'hosting');
    assert.deepEqual([certs.status?.used, certs.status?.reserved, hosting.status?.used, hosting.status?.reserved], [2, 0, 1, 0]);
  });

  it('R-EXPIRED a renewal requested the day after expiry is refused with reason Expired', async () => {
    op = await runOperator(ns.name, '2024-10-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'old'));
    await waitCert(c, ns.name, 'old', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t('2025-10-02T00:00:00Z'));
    await waitCert(c, ns.name, 'old', 'Expired', (x) => x.status?.state === 'Expired');
    await renew('old', 'please');
    const refused = await waitCert(c, ns.name, 'old', 'a refusal', (x) => x.status?.lastRenewRequest === 'please');
    const cond = refused.status?.conditions?.find((x) => x.type === 'RenewalAllowed');
    assert.deepEqual([cond?.status, cond?.reason], ['False', 'Expired']);
    assert.equal(refused.status?.revision, 1);
    await eventually('a RenewalNotAllowed event citing R-EXPIRED', async () => ((await events(c, ns.name)).some((e) => e.reason === 'RenewalNotAllowed' && e.note.includes('R-EXPIRED')) ? true : undefined));
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used, 1, 'nothing spent');
  });

  it('R-MANUAL a renewal requested outside the window is refused and says when the window opens', async () => {
    op = await runOperator(ns.name, '2024-10-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'early'));
    await waitCert(c, ns.name, 'early', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t('2025-08-15T00:00:00Z'));
    await renew('early', 'now');
    const refused = await waitCert(c, ns.name, 'early', 'a refusal', (x) => x.status?.lastRenewRequest === 'now');
    const cond = refused.status?.conditions?.find((x) => x.type === 'RenewalAllowed');
    assert.equal(cond?.reason, 'OutsideRenewalWindow');
    assert.match(cond?.message ?? '', /2025-09-01T00:00:00Z/);
  });

  it('R-INSUFFICIENT a hosted application without a hosting credit waits PendingApplication, spends nothing, and proceeds when a package appears', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 5));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'hosted', { hosting: { enabled: true, servicePeriodYears: 3 } }));
    const waiting = await waitCert(c, ns.name, 'hosted', 'PendingApplication', (x) => x.status?.state === 'PendingApplication');
    const quota = waiting.status?.conditions?.find((x) => x.type === 'QuotaAvailable');
    assert.equal(quota?.status, 'False');
    assert.match(quota?.message ?? '', /2 hosting credits/);
    const certs = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([certs.status?.used ?? 0, certs.status?.reserved ?? 0], [0, 0], 'all or nothing: no certificate credit taken');

    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 2));
    const issued = await waitCert(c, ns.name, 'hosted', 'issued after the package appeared', (x) => x.status?.revision === 1);
    assert.equal(issued.status?.state, 'Hosted');
    assert.deepEqual(issued.status?.successors?.map((s) => s.revision), [2, 3]);
    const after = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([after.status?.used, after.status?.reserved], [1, 2]);
  });

  it('R-CANCEL lowering the service period cancels the newest Inactive successors and returns their credits', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 4));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 3));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'multi', { hosting: { enabled: true, servicePeriodYears: 4 } }));
    await waitCert(c, ns.name, 'multi', '3 successors', (x) => x.status?.revision === 1 && x.status.successors?.length === 3);
    await c.patch(paths.certificate(ns.name, 'multi'), { spec: { hosting: { enabled: true, servicePeriodYears: 2 } } });
    const lowered = await waitCert(c, ns.name, 'multi', '1 successor left', (x) => x.status?.successors?.length === 1);
    assert.equal(lowered.status?.successors?.[0]?.revision, 2);
    assert.equal(lowered.status?.servicePeriod?.years, 2);
    const certs = await getPackage(c, ns.name, 'certs');
    const hosting = await getPackage(c, ns.name, 'hosting');
    assert.deepEqual([certs.status?.used, certs.status?.reserved, certs.status?.available], [1, 1, 2]);
    assert.deepEqual([hosting.status?.reserved, hosting.status?.available], [1, 2]);
    await eventually('a SuccessorCancelled event', async () => ((await events(c, ns.name)).some((e) => e.reason === 'SuccessorCancelled') ? true : undefined));
  });

  it('R-YEARS a two-year hosted service costs exactly 2 certificate and 1 hosting credits, and keeps the expiry date', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 10));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 10));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'svc', { hosting: { enabled: true, servicePeriodYears: 2 } }));
    await waitCert(c, ns.name, 'svc', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t('2025-12-02T00:00:00Z'));
    const renewed = await waitCert(c, ns.name, 'svc', 'the successor issued at the window', (x) => x.status?.revision === 2);
    assert.equal(renewed.status?.current?.notAfter, '2027-01-01T00:00:00Z');
    op.clock.set(t('2027-01-01T00:00:00Z'));
    const done = await waitCert(c, ns.name, 'svc', 'expired after the service period', (x) => x.status?.state === 'Expired' && x.status.revision === 2);
    assert.equal(done.status?.current?.notAfter, '2027-01-01T00:00:00Z');
    const certs = await getPackage(c, ns.name, 'certs');
    const hosting = await getPackage(c, ns.name, 'hosting');
    assert.deepEqual([certs.status?.used, certs.status?.reserved, hosting.status?.used, hosting.status?.reserved], [2, 0, 1, 0]);
  });

  it('R-NOTIFY reminders at 30, 15 and 7 days are sent exactly once each; a jump over several sends only the nearest', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'a'));
    await waitCert(c, ns.name, 'a', 'issued', (x) => x.status?.revision === 1);
    const reminders = async (name: string): Promise<string[]> => (await events(c, ns.name))
      .filter((e) => e.reason === 'ExpiryReminder' && e.regarding === name).map((e) => /the (\d+)-day reminder/.exec(e.note)?.[1] ?? '?');
    const steps: [string, number][] = [
      ['2025-11-30T00:00:00Z', 0], ['2025-12-02T00:00:00Z', 1], ['2025-12-03T00:00:00Z', 1], ['2025-12-17T00:00:00Z', 2],
      ['2025-12-20T00:00:00Z', 2], ['2025-12-25T00:00:00Z', 3], ['2025-12-26T00:00:00Z', 3],
    ];
    for (const [at, settledCount] of steps) {
      op.clock.set(t(at));
      await waitCert(c, ns.name, 'a', `${settledCount} reminders settled at ${at}`, (x) => (x.status?.reminders?.settled.length ?? 0) === settledCount);
    }
    await eventually('three reminder events', async () => ((await reminders('a')).length === 3 ? true : undefined));
    assert.deepEqual(await reminders('a'), ['30', '15', '7']);

    // b is issued now and the clock jumps to 6 days before its expiry: 30, 15 and 7 all passed at once.
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'b'));
    const b = await waitCert(c, ns.name, 'b', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t(b.status?.current?.notAfter ?? '') - 6 * 86400_000);
    await waitCert(c, ns.name, 'b', 'reminders settled', (x) => x.status?.reminders?.settled.length === 3);
    await eventually('b reminder event', async () => ((await reminders('b')).length > 0 ? true : undefined));
    assert.deepEqual(await reminders('b'), ['7']);
    assert.deepEqual(await reminders('a'), ['30', '15', '7'], 'an expired certificate gets no more reminders');
  });

  it('R-REFUND revoking within 30 days returns the certificate credit (R-REFUND) and the state is Revoked', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'gone'));
    await waitCert(c, ns.name, 'gone', 'issued', (x) => x.status?.revision === 1);
    op.clock.set(t('2025-01-20T00:00:00Z'));
    await c.patch(paths.certificate(ns.name, 'gone'), { spec: { revoke: true } });
    const revoked = await waitCert(c, ns.name, 'gone', 'Revoked', (x) => x.status?.state === 'Revoked');
    assert.ok(revoked.status?.revokedAt);
    const pkg = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([pkg.status?.used, pkg.status?.available], [0, 1]);
  });

  it('R-DELETE deleting a valid hosted certificate is never blocked: its Secret stays, Inactive successors return their credits, a Warning is recorded', async () => {
    op = await runOperator(ns.name, '2025-01-01T00:00:00Z');
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 3));
    await c.create(paths.package(ns.name), hostingPackage(ns.name, 'hosting', 2));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'bye', { hosting: { enabled: true, servicePeriodYears: 3 } }));
    await waitCert(c, ns.name, 'bye', 'issued with two successors', (x) => x.status?.revision === 1 && x.status.successors?.length === 2);
    assert.deepEqual([(await getPackage(c, ns.name, 'certs')).status?.reserved, (await getPackage(c, ns.name, 'hosting')).status?.reserved], [2, 2]);
    await c.delete(paths.certificate(ns.name, 'bye'));
    assert.equal(await c.get(paths.certificate(ns.name, 'bye')), null, 'deleted at once (no finalizer)');
    await eventually('reservations returned', async () => {
      const certs = await getPackage(c, ns.name, 'certs');
      const hosting = await getPackage(c, ns.name, 'hosting');
      return certs.status?.reserved === 0 && hosting.status?.reserved === 0 ? [certs, hosting] : undefined;
    });
    const certs = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([certs.status?.used, certs.status?.available], [1, 2], 'the issued certificate stays paid for; the successors\' credits are back');
    assert.ok(await c.get(paths.secret(ns.name, 'bye-tls')), 'the issued Secret is kept');
    await eventually('a DeletedWhileValid warning', async () => ((await events(c, ns.name)).some((e) => e.reason === 'DeletedWhileValid' && e.type === 'Warning') ? true : undefined));
  });

  it('R-NOTIFY a reminder is POSTed as JSON to the webhook from the Secret; a webhook that times out is a Warning and changes nothing else', async () => {
    const received: unknown[] = [];
    let slow = false;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (slow) return; // never answers: the operator's timeout must fire
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      op = await runOperator(ns.name, '2025-01-01T00:00:00Z', (cfg) => { cfg.webhookTimeoutMs = 500; });
      const c = op.client;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret-token`;
      await c.create(paths.secret(ns.name), { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'hook', namespace: ns.name }, data: { url: Buffer.from(url).toString('base64') } });
      await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 2));
      const notifications = { webhook: { urlSecretRef: { name: 'hook', key: 'url' } } };
      await c.create(paths.certificate(ns.name), certificate(ns.name, 'hooked', { notifications }));
      await waitCert(c, ns.name, 'hooked', 'issued', (x) => x.status?.revision === 1);
      op.clock.set(t('2025-12-02T00:00:00Z'));
      await eventually('the webhook received the 30-day reminder', async () => (received.length === 1 ? true : undefined));
      assert.deepEqual(Object.keys(received[0] as object).sort(), ['certificate', 'daysBefore', 'domains', 'namespace', 'notAfter', 'revision', 'serialNumber', 'type']);
      assert.equal((received[0] as { daysBefore: number }).daysBefore, 30);

      slow = true;
      op.clock.set(t('2025-12-17T00:00:00Z'));
      await eventually('a ReminderWebhookFailed warning', async () => ((await events(c, ns.name)).some((e) => e.reason === 'ReminderWebhookFailed') ? true : undefined));
      const after = await waitCert(c, ns.name, 'hooked', 'the 15-day reminder settled', (x) => x.status?.reminders?.settled.includes(15) === true);
      assert.equal(after.status?.state, 'ExpiringSoon');
      const notes = (await events(c, ns.name)).map((e) => e.note).join('\n');
      assert.ok(!notes.includes('secret-token'), 'the webhook URL (it may carry a token) never appears in events');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
