import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import {
  addIntermediate, caSecretFormat, createCaHierarchy, deserializeCaHierarchy, intermediatesOf, needsNewIntermediate,
  pruneExpiredIntermediates, selectIntermediate, serializeCaHierarchy, type CaHierarchy,
} from '../../../src/issuers/builtin/ca-hierarchy.ts';
import { issueLeaf } from '../../../src/issuers/builtin/issue-leaf.ts';
import { generateKeyPair } from '../../../src/issuers/builtin/keys.ts';
import type { IssuedCertificate, IssueResult } from '../../../src/issuers/issuer.ts';
import { TempDir, inspectCertificate, opensslOk, verifyChain } from './openssl.ts';
import { DAY_MS, daysAfter, now, sharedHierarchy } from './fixtures.ts';

const DAY_S = 86_400;

function issued(result: IssueResult): IssuedCertificate {
  if (!result.ok) assert.fail(`expected issuance, got ${result.reason}: ${result.message}`);
  return result.certificate;
}

function files(c: IssuedCertificate): { root: string; intermediate: string; leaf: string } {
  const [leaf, intermediate] = c.chainPems;
  assert.ok(leaf !== undefined && intermediate !== undefined);
  return { root: c.caPem, intermediate, leaf };
}

describe('built-in CA: hierarchy', () => {
  let dir: TempDir;
  before(() => {
    dir = new TempDir();
  });
  after(() => dir.remove());

  it('the root and the intermediates are CA certificates that openssl accepts as a chain', async () => {
    const h = await sharedHierarchy();
    const root = dir.write('root.pem', h.root.certificatePem);
    for (const i of h.intermediates) {
      const file = dir.write('int.pem', i.certificatePem);
      opensslOk(['verify', '-x509_strict', '-attime', String(now.getTime() / 1000 + 60), '-CAfile', root, file]);
      const info = inspectCertificate(dir, i.certificatePem);
      assert.match(info.text, /CA:TRUE, pathlen:0/);
      assert.match(info.text, /Certificate Sign, CRL Sign/);
      assert.equal(info.notBefore.getTime(), now.getTime());
    }
    assert.deepEqual(h.intermediates.map((i) => [i.brand, i.generation]), [['DigiCert', 1], ['GeoTrust', 1]]);
    assert.match(inspectCertificate(dir, h.root.certificatePem).text, /CA:TRUE/);
  });

  it('validity is configurable and taken from the `now` passed in; an intermediate never outlives the root', async () => {
    const start = new Date('2030-01-01T00:00:00Z');
    const h = await createCaHierarchy({ now: start, brands: ['A'], rootValiditySeconds: 100 * DAY_S, intermediateValiditySeconds: 200 * DAY_S });
    assert.equal(h.root.notBefore.getTime(), start.getTime());
    assert.equal(h.root.notAfter.getTime(), start.getTime() + 100 * DAY_MS);
    assert.equal(h.intermediates[0]?.notAfter.getTime(), h.root.notAfter.getTime());
  });

  it('a P-384 hierarchy signs with SHA-384 (CA/B Forum pairs P-384 with SHA-384) and openssl verifies it', async () => {
    const h = await createCaHierarchy({ now, brands: ['X'], curve: 'P-384' });
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const cert = issued(await issueLeaf(h, { brand: 'X', domains: ['x.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 30) }));
    assert.equal(verifyChain(dir, files(cert), daysAfter(now, 1), 'x.example.com').status, 0);
    assert.match(inspectCertificate(dir, files(cert).leaf).text, /Signature Algorithm: ecdsa-with-SHA384/);
  });

  it('serializes to Secret data and back; the reloaded CA issues chains openssl verifies against the same root', async () => {
    const h = await addIntermediate(await createCaHierarchy({ now, brands: ['DigiCert', 'Geo Trust/Ü.x'] }), 'DigiCert', { now: daysAfter(now, 1) });
    const data = serializeCaHierarchy(h);
    assert.deepEqual(Object.keys(data).sort(), [
      'format', 'intermediate.DigiCert.1.crt', 'intermediate.DigiCert.1.key', 'intermediate.DigiCert.2.crt', 'intermediate.DigiCert.2.key',
      'intermediate.Geo_20Trust_2f_c3_9c_2ex.1.crt', 'intermediate.Geo_20Trust_2f_c3_9c_2ex.1.key', 'root.crt', 'root.key',
    ]);
    for (const key of Object.keys(data)) assert.match(key, /^[-._a-zA-Z0-9]+$/, 'a valid Secret data key');
    assert.equal(data.format, caSecretFormat);
    assert.match(data['root.key'] ?? '', /^-----BEGIN PRIVATE KEY-----\n/);

    const read = await deserializeCaHierarchy(data);
    if (!read.ok) assert.fail(read.message);
    const back = read.hierarchy;
    assert.equal(back.root.certificatePem, h.root.certificatePem);
    assert.deepEqual(back.intermediates.map((i) => [i.brand, i.generation, i.notAfter.getTime()]).sort(), h.intermediates.map((i) => [i.brand, i.generation, i.notAfter.getTime()]).sort());
    assert.deepEqual(serializeCaHierarchy(back), data);

    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const cert = issued(await issueLeaf(back, { brand: 'Geo Trust/Ü.x', domains: ['geo.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: daysAfter(now, 2), notAfter: daysAfter(now, 30) }));
    assert.equal(cert.caPem, h.root.certificatePem);
    assert.equal(verifyChain(dir, files(cert), daysAfter(now, 3), 'geo.example.com').status, 0);
  });

  it('rejects tampered Secret data with InvalidCaSecret and a message that names the key, never its content', async () => {
    const h = await sharedHierarchy();
    const other = await createCaHierarchy({ now, brands: ['DigiCert'] });
    const good = serializeCaHierarchy(h);
    const otherData = serializeCaHierarchy(other);
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no format', { ...good, format: 'v0' }, /format/],
      ['no root key', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'root.key')), /root\.key/],
      ['root key of another CA', { ...good, 'root.key': otherData['root.key'] ?? '' }, /root\.key is not the key of root\.crt/],
      ['intermediate of another root', { ...good, 'intermediate.DigiCert.1.crt': otherData['intermediate.DigiCert.1.crt'] ?? '', 'intermediate.DigiCert.1.key': otherData['intermediate.DigiCert.1.key'] ?? '' }, /not signed by root\.crt/],
      ['garbage certificate', { ...good, 'root.crt': 'garbage' }, /root\.crt holds no PEM certificate/],
      ['unknown key', { ...good, 'extra.txt': 'x' }, /unexpected key "extra\.txt"/],
      ['orphan intermediate key', { ...good, 'intermediate.Foo.1.key': good['root.key'] ?? '' }, /intermediate\.Foo\.1\.key has no certificate/],
    ];
    for (const [name, data, message] of cases) {
      const read = await deserializeCaHierarchy(data);
      assert.equal(read.ok, false, name);
      if (read.ok) continue;
      assert.equal(read.reason, 'InvalidCaSecret');
      assert.match(read.message, message, name);
      assert.doesNotMatch(read.message, /PRIVATE KEY|[A-Za-z0-9+/]{40}/, name);
    }
  });

  it('R-CAP: chooses, among the intermediates valid at notBefore, the one that covers the longest', async () => {
    const h0 = await createCaHierarchy({ now, brands: ['B'], intermediateValiditySeconds: 100 * DAY_S });
    const h1 = await addIntermediate(h0, 'B', { now: daysAfter(now, 10), validitySeconds: 50 * DAY_S }); // ends day 60
    const h = await addIntermediate(h1, 'B', { now: daysAfter(now, 20), validitySeconds: 400 * DAY_S }); // ends day 420
    assert.deepEqual(intermediatesOf(h, 'B').map((i) => i.generation), [1, 2, 3]);
    const pick = (from: number, to: number): string => {
      const c = selectIntermediate(h, 'B', daysAfter(now, from), daysAfter(now, to));
      return c.ok ? `G${c.intermediate.generation}${c.coversFullPeriod ? ' full' : ' cut'}` : c.reason;
    };
    assert.equal(pick(0, 365), 'G1 cut');
    assert.equal(pick(15, 365), 'G1 cut'); // G1 (day 100) outlasts G2 (day 60)
    assert.equal(pick(20, 385), 'G3 full');
    assert.equal(pick(20, 421), 'G3 cut');
    assert.equal(pick(-1, 10), 'NoIntermediate');
    assert.equal(selectIntermediate(h, 'Other', now, daysAfter(now, 1)).ok, false);
  });

  it('R-CAP: needsNewIntermediate turns true when no intermediate covers the horizon', async () => {
    const h = await createCaHierarchy({ now, brands: ['B'], intermediateValiditySeconds: 800 * DAY_S });
    assert.equal(needsNewIntermediate(h, 'B', now, 397 * DAY_S), false);
    assert.equal(needsNewIntermediate(h, 'B', daysAfter(now, 403), 397 * DAY_S), false);
    assert.equal(needsNewIntermediate(h, 'B', daysAfter(now, 404), 397 * DAY_S), true);
    const rotated = await addIntermediate(h, 'B', { now: daysAfter(now, 404) });
    assert.equal(needsNewIntermediate(rotated, 'B', daysAfter(now, 404), 397 * DAY_S), false);
    assert.equal(pruneExpiredIntermediates(rotated, daysAfter(now, 800)).intermediates.length, 1);
    assert.equal(pruneExpiredIntermediates(rotated, daysAfter(now, 799)).intermediates.length, 2);
  });

  it('R-CAP: leaf notAfter is cut to the intermediate notAfter, and a newer intermediate re-issues it with the full validity', async () => {
    let h: CaHierarchy = await createCaHierarchy({ now, brands: ['DigiCert'], intermediateValiditySeconds: 100 * DAY_S });
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const target = daysAfter(now, 365);
    const first = issued(await issueLeaf(h, { brand: 'DigiCert', domains: ['cap.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: target }));
    const intermediateEnd = daysAfter(now, 100);
    assert.equal(first.truncated, true);
    assert.equal(first.truncatedSeconds, 265 * DAY_S);
    assert.equal(first.notAfter.getTime(), intermediateEnd.getTime());
    assert.equal(first.requestedNotAfter.getTime(), target.getTime());
    // openssl sees the cut date and accepts the chain until then, not after.
    assert.equal(inspectCertificate(dir, files(first).leaf).notAfter.getTime(), intermediateEnd.getTime());
    assert.equal(verifyChain(dir, files(first), daysAfter(now, 99), 'cap.example.com').status, 0);
    assert.notEqual(verifyChain(dir, files(first), daysAfter(now, 101), 'cap.example.com').status, 0);

    // The operator rotates the intermediate; the certificate is re-issued keeping its expiry target.
    const reissueAt = daysAfter(now, 10);
    h = await addIntermediate(h, 'DigiCert', { now: reissueAt });
    const second = issued(await issueLeaf(h, { brand: 'DigiCert', domains: ['cap.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: reissueAt, notAfter: target }));
    assert.equal(second.truncated, false);
    assert.equal(second.truncatedSeconds, 0);
    assert.equal(second.notAfter.getTime(), target.getTime());
    assert.equal(second.issuer, 'certhost DigiCert CA G2');
    assert.equal(verifyChain(dir, files(second), daysAfter(now, 364), 'cap.example.com').status, 0);
    assert.equal(inspectCertificate(dir, files(second).leaf).notAfter.getTime(), target.getTime());
    // The first leaf still chains through the old intermediate.
    assert.equal(verifyChain(dir, files(first), daysAfter(now, 50), 'cap.example.com').status, 0);
  });
});
