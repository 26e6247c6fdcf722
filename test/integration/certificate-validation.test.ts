// R-VALIDATION-RECORDS and R-REVIEW against real servers on loopback: a DNS server the test controls
// answers the operator's TXT and A lookups, and an HTTP server serves (or not) the validation file.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestDnsServer } from '../support/dns-server.ts';
import { useTestNamespace } from './harness/namespace.ts';
import { type TestOperator, certificate, certificatePackage, getPackage, paths, runOperator, t, waitCert, dvSingle } from './support/operator.ts';

describe('domain validation under review (real DNS and HTTP servers on loopback)', function () {
  this.timeout(120_000);
  const ns = useTestNamespace('validation');
  let op: TestOperator | undefined;
  const dns = new TestDnsServer();
  let dnsAddress = '';
  let http: Server;
  let httpPort = 0;
  const files = new Map<string, string>();

  before(async () => {
    dnsAddress = await dns.start();
    http = createServer((req, res) => {
      const body = files.get(`${req.headers.host ?? ''}${req.url ?? ''}`);
      if (body === undefined) return void res.writeHead(404).end('not here');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as AddressInfo).port;
  });
  after(async () => {
    await dns.stop();
    await new Promise<void>((r) => http.close(() => r()));
  });
  afterEach(async () => {
    await op?.stop();
    op = undefined;
  });

  const start = (): Promise<TestOperator> => runOperator(ns.name, '2025-03-01T00:00:00Z', (c) => {
    c.defaultBrand = { ...c.defaultBrand, validation: 'check' };
    c.nameserver = dnsAddress;
    c.httpValidationPort = httpPort;
  });

  it('R-VALIDATION-RECORDS R-REVIEW a DNS application is UnderReview until the TXT record appears, then issued at the next 10-minute check', async () => {
    op = await start();
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1, { ...dvSingle, domainType: 'wildcard' }));
    const name = `w${ns.name.slice(-6)}`;
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'wild', {
      domains: [`*.${name}.example.com`], product: { ...dvSingle, domainType: 'wildcard' }, validation: { method: 'DNS' },
    }));
    const review = await waitCert(c, ns.name, 'wild', 'UnderReview with records', (x) => x.status?.state === 'UnderReview' && x.status.application?.lastCheckAt !== undefined);
    const records = review.status?.validation ?? [];
    assert.equal(records.length, 1);
    assert.equal(records[0]?.recordType, 'TXT');
    assert.equal(records[0]?.recordName, `_dnsauth.${name}.example.com`);
    assert.ok(dns.queries.some((q) => q.name === `_dnsauth.${name}.example.com` && q.type === 'TXT'), 'the operator asked the configured nameserver');
    assert.equal((await getPackage(c, ns.name, 'certs')).status?.used, 1, 'R-CONSUME: consumed at submission');

    dns.setTxt(records[0]?.recordName ?? '', [records[0]?.recordValue ?? '']);
    op.clock.advance(5 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await c.get<{ status?: { state?: string } }>(paths.certificate(ns.name, 'wild')))?.status?.state, 'UnderReview', 'no check before the 10-minute mark');
    op.clock.advance(5 * 60_000);
    const issued = await waitCert(c, ns.name, 'wild', 'issued after the check', (x) => x.status?.revision === 1);
    assert.equal(issued.status?.state, 'Issued');
    assert.equal(issued.status?.current?.notBefore, '2025-03-01T00:10:00Z');
  });

  it('R-DNS-ONLY-WILDCARD R-VALIDATION-RECORDS file validation checks each name over HTTP at the address DNS gives', async () => {
    op = await start();
    const c = op.client;
    const multi = { ...dvSingle, domainType: 'multi' as const };
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1, multi));
    const apex = `h${ns.name.slice(-6)}.example.com`;
    dns.setA(apex, '127.0.0.1');
    dns.setA(`www.${apex}`, '127.0.0.1');
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'site', { domains: [apex, `www.${apex}`], product: multi, validation: { method: 'HTTP' } }));
    const review = await waitCert(c, ns.name, 'site', 'UnderReview', (x) => x.status?.state === 'UnderReview' && x.status.application?.lastCheckAt !== undefined);
    const records = review.status?.validation ?? [];
    assert.deepEqual(records.map((r) => r.path), [`http://${apex}/.well-known/pki-validation/fileauth.txt`, `http://www.${apex}/.well-known/pki-validation/fileauth.txt`]);
    // Only the apex file is published: still under review, and the message names what is missing.
    files.set(`${apex}/.well-known/pki-validation/fileauth.txt`, records[0]?.content ?? '');
    op.clock.advance(10 * 60_000);
    const still = await waitCert(c, ns.name, 'site', 'a second check', (x) => x.status?.application?.lastCheckAt === '2025-03-01T00:10:00Z');
    assert.equal(still.status?.state, 'UnderReview');
    assert.match(still.status?.application?.message ?? '', new RegExp(`www\\.${apex.replace(/\./g, '\\.')}`));
    files.set(`www.${apex}/.well-known/pki-validation/fileauth.txt`, records[1]?.content ?? '');
    op.clock.advance(10 * 60_000);
    await waitCert(c, ns.name, 'site', 'issued', (x) => x.status?.state === 'Issued');
  });

  it('R-REVIEW R-REFUND an application never validated is ReviewFailed after 7 days and its credit is returned', async () => {
    op = await start();
    const c = op.client;
    await c.create(paths.package(ns.name), certificatePackage(ns.name, 'certs', 1));
    await c.create(paths.certificate(ns.name), certificate(ns.name, 'never', { domains: [`never-${ns.name.slice(-6)}.example.com`] }));
    await waitCert(c, ns.name, 'never', 'UnderReview', (x) => x.status?.state === 'UnderReview');
    op.clock.set(t('2025-03-04T00:00:00Z'));
    await waitCert(c, ns.name, 'never', 'checked hourly', (x) => x.status?.application?.lastCheckAt === '2025-03-04T00:00:00Z');
    op.clock.set(t('2025-03-08T00:00:00Z'));
    const failed = await waitCert(c, ns.name, 'never', 'ReviewFailed', (x) => x.status?.state === 'ReviewFailed');
    const ready = failed.status?.conditions?.find((x) => x.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'ReviewFailed']);
    const pkg = await getPackage(c, ns.name, 'certs');
    assert.deepEqual([pkg.status?.used, pkg.status?.available], [0, 1]);
  });
});
