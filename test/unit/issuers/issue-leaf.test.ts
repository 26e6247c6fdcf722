import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { issueLeaf, IssueReason, type LeafRequest } from '../../../src/issuers/builtin/issue-leaf.ts';
import { generateKeyPair, type KeySpec } from '../../../src/issuers/builtin/keys.ts';
import { createBuiltinIssuer } from '../../../src/issuers/builtin/builtin-issuer.ts';
import type { CaHierarchy } from '../../../src/issuers/builtin/ca-hierarchy.ts';
import type { IssuedCertificate, IssueResult } from '../../../src/issuers/issuer.ts';
import { TempDir, inspectCertificate, verifyChain } from './openssl.ts';
import { DAY_MS, daysAfter, now, rsa1024Key, rsa2048Key, sharedHierarchy } from './fixtures.ts';

function issued(result: IssueResult): IssuedCertificate {
  if (!result.ok) assert.fail(`expected issuance, got ${result.reason}: ${result.message}`);
  return result.certificate;
}

function chainFiles(c: IssuedCertificate): { root: string; intermediate: string; leaf: string } {
  const [leaf, intermediate] = c.chainPems;
  assert.ok(leaf !== undefined && intermediate !== undefined);
  return { root: c.caPem, intermediate, leaf };
}

describe('built-in CA: issuing leaves (verified with openssl)', () => {
  let dir: TempDir;
  let hierarchy: CaHierarchy;
  before(async () => {
    dir = new TempDir();
    hierarchy = await sharedHierarchy();
  });
  after(() => dir.remove());

  const keyCases: { name: string; spec: KeySpec; keyUsage: string; publicKey: RegExp }[] = [
    { name: 'ECDSA P-256', spec: { algorithm: 'ECDSA', curve: 'P-256' }, keyUsage: 'Digital Signature\n', publicKey: /NIST CURVE: P-256/ },
    { name: 'ECDSA P-384', spec: { algorithm: 'ECDSA', curve: 'P-384' }, keyUsage: 'Digital Signature\n', publicKey: /NIST CURVE: P-384/ },
    { name: 'RSA 2048', spec: { algorithm: 'RSA', size: 2048 }, keyUsage: 'Digital Signature, Key Encipherment\n', publicKey: /Public-Key: \(2048 bit\)/ },
  ];
  for (const c of keyCases) {
    it(`R-KEY ${c.name}: the leaf verifies with openssl against root + intermediate, with SANs, CN, usages and dates`, async () => {
      const key = c.spec.algorithm === 'RSA' ? await rsa2048Key() : await generateKeyPair(c.spec);
      const domains = ['shop.example.com', 'www.shop.example.com', '*.api.example.com'];
      const notAfter = daysAfter(now, 365);
      const cert = issued(await issueLeaf(hierarchy, { brand: 'DigiCert', domains, key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter }));

      for (const host of ['shop.example.com', 'www.shop.example.com', 'x.api.example.com']) {
        const v = verifyChain(dir, chainFiles(cert), daysAfter(now, 1), host);
        assert.equal(v.status, 0, v.stdout + v.stderr);
      }
      const info = inspectCertificate(dir, cert.chainPems[0] ?? '');
      assert.equal(info.subject, 'CN=shop.example.com'); // R-FIRST-DOMAIN
      assert.deepEqual(info.dnsNames, domains);
      assert.equal(info.notBefore.getTime(), now.getTime());
      assert.equal(info.notAfter.getTime(), notAfter.getTime());
      assert.equal(info.issuer, 'O=certhost,CN=certhost DigiCert CA G1');
      assert.equal(BigInt(`0x${info.serial}`), BigInt(`0x${cert.serialNumber}`));
      assert.match(info.text, /Signature Algorithm: ecdsa-with-SHA256/);
      assert.match(info.text, /X509v3 Basic Constraints: critical\n\s*CA:FALSE/);
      assert.ok(info.text.includes(`X509v3 Key Usage: critical\n                ${c.keyUsage}`), info.text);
      assert.match(info.text, /X509v3 Extended Key Usage: \n\s*TLS Web Server Authentication\n/);
      assert.match(info.text, /X509v3 Subject Key Identifier/);
      assert.match(info.text, /X509v3 Authority Key Identifier/);
      assert.match(info.text, c.publicKey);
      assert.equal(cert.keyAlgorithm, c.name);
      assert.equal(cert.truncated, false);
      assert.equal(cert.chainPem, cert.chainPems.join(''));
      assert.equal(cert.chainPems.length, 2, 'tls.crt is leaf + intermediate, without the root');
    });
  }

  it('the leaf does not verify outside its validity or for a name it does not carry (openssl)', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const cert = issued(await issueLeaf(hierarchy, { brand: 'GeoTrust', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 30) }));
    assert.notEqual(verifyChain(dir, chainFiles(cert), daysAfter(now, 31)).status, 0);
    assert.notEqual(verifyChain(dir, chainFiles(cert), daysAfter(now, 1), 'b.example.com').status, 0);
    assert.equal(verifyChain(dir, chainFiles(cert), daysAfter(now, 29), 'a.example.com').status, 0);
  });

  it('serial numbers are positive, at most 128 bits and distinct', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const serials = new Set<bigint>();
    for (let i = 0; i < 8; i++) {
      const cert = issued(await issueLeaf(hierarchy, { brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }));
      const serial = BigInt(`0x${inspectCertificate(dir, cert.chainPems[0] ?? '').serial}`);
      assert.ok(serial > 0n && serial < 2n ** 128n);
      serials.add(serial);
    }
    assert.equal(serials.size, 8);
  });

  it('R-FIRST-DOMAIN: a first name longer than 64 characters leaves the subject empty and the SAN critical', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const long = `${'a'.repeat(60)}.${'b'.repeat(10)}.example.com`;
    const cert = issued(await issueLeaf(hierarchy, { brand: 'DigiCert', domains: [long], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }));
    const info = inspectCertificate(dir, cert.chainPems[0] ?? '');
    assert.equal(info.subject, '');
    assert.deepEqual(info.dnsNames, [long]);
    assert.match(info.text, /X509v3 Subject Alternative Name: critical/);
    assert.equal(verifyChain(dir, chainFiles(cert), daysAfter(now, 1), long).status, 0);
  });

  const rejections: { name: string; request: (publicKeyPem: string) => LeafRequest; reason: string }[] = [
    {
      name: 'R-FIRST-DOMAIN: a wildcard first among normal names is rejected',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['*.example.com', 'example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }),
      reason: IssueReason.InvalidDomains,
    },
    {
      name: 'no domains is rejected',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: [], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }),
      reason: IssueReason.InvalidDomains,
    },
    {
      name: 'a name that is not a DNS name is rejected',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['bad name.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }),
      reason: IssueReason.InvalidDomains,
    },
    {
      name: 'R-VALIDITY: more than 397 days is rejected',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 398) }),
      reason: IssueReason.ValidityTooLong,
    },
    {
      name: 'R-PROFILE: a profile maximum of 200 days rejects 201 days',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 201), maxValiditySeconds: 200 * 86_400 }),
      reason: IssueReason.ValidityTooLong,
    },
    {
      name: 'notAfter not after notBefore is rejected',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: now }),
      reason: IssueReason.InvalidValidity,
    },
    {
      name: 'an unknown brand has no intermediate',
      request: (publicKeyPem) => ({ brand: 'Nobody', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) }),
      reason: IssueReason.NoIntermediate,
    },
    {
      name: 'a leaf starting before the intermediate has no intermediate',
      request: (publicKeyPem) => ({ brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: daysAfter(now, -1), notAfter: daysAfter(now, 10) }),
      reason: IssueReason.NoIntermediate,
    },
    {
      name: 'a public key that is not PEM is rejected',
      request: () => ({ brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem: 'not a key' }, notBefore: now, notAfter: daysAfter(now, 10) }),
      reason: IssueReason.MalformedPublicKey,
    },
  ];
  for (const r of rejections) {
    it(r.name, async () => {
      const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
      const result = await issueLeaf(hierarchy, r.request(key.publicKeyPem));
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.reason, r.reason, result.message);
      assert.equal(result.retryable, r.reason === IssueReason.NoIntermediate);
      assert.ok(result.message.length > 20);
    });
  }

  it('R-KEY: an RSA 1024 public key is rejected as WeakKey', async () => {
    const weak = await rsa1024Key();
    const result = await issueLeaf(hierarchy, { brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem: weak.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.reason, IssueReason.WeakKey);
    assert.match(result.message, /RSA 1024.*too weak.*RSA 2048, 3072 or 4096, or ECDSA P-256 or P-384/);
  });

  it('R-KEY: Ed25519 and P-521 keys are rejected as UnsupportedKey', async () => {
    for (const algorithm of [{ name: 'Ed25519' }, { name: 'ECDSA', namedCurve: 'P-521' }]) {
      const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      if (!('publicKey' in keys)) assert.fail('expected a key pair');
      const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
      const publicKeyPem = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
      const result = await issueLeaf(hierarchy, { brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem }, notBefore: now, notAfter: daysAfter(now, 10) });
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.reason, IssueReason.UnsupportedKey, result.message);
    }
  });

  it('the Issuer interface: the built-in issuer picks the intermediate of product.brand and applies the profile maximum', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const issuer = createBuiltinIssuer({ hierarchy: () => hierarchy, maxValiditySeconds: () => 100 * 86_400 });
    assert.equal(issuer.name, 'builtin');
    const application = {
      domains: ['geo.example.com'],
      product: { brand: 'GeoTrust', type: 'DV', domainType: 'single', grade: 'standard' } as const,
      key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem } as const,
      notBefore: now,
      notAfter: daysAfter(now, 90),
    };
    const cert = issued(await issuer.issue(application));
    assert.equal(cert.issuer, 'certhost GeoTrust CA G1');
    assert.equal(verifyChain(dir, chainFiles(cert), daysAfter(now, 1), 'geo.example.com').status, 0);
    const tooLong = await issuer.issue({ ...application, notAfter: daysAfter(now, 101) });
    assert.equal(tooLong.ok ? 'issued' : tooLong.reason, IssueReason.ValidityTooLong);
  });

  it('times are cut to whole seconds (X.509 has no milliseconds)', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const cert = issued(await issueLeaf(hierarchy, { brand: 'DigiCert', domains: ['a.example.com'], key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: new Date(now.getTime() + 1500), notAfter: new Date(now.getTime() + 10 * DAY_MS + 999) }));
    assert.equal(cert.notBefore.getTime(), now.getTime() + 1000);
    assert.equal(cert.notAfter.getTime(), now.getTime() + 10 * DAY_MS);
    assert.equal(cert.truncated, false);
  });
});
