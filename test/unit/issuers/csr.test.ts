import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import { x509 } from '../../../src/issuers/builtin/x509.ts';
import { checkCsr, CsrReason } from '../../../src/issuers/builtin/csr.ts';
import { issueLeaf } from '../../../src/issuers/builtin/issue-leaf.ts';
import { generateKeyPair } from '../../../src/issuers/builtin/keys.ts';
import { encodePem } from '../../../src/issuers/builtin/pem.ts';
import type { CaHierarchy } from '../../../src/issuers/builtin/ca-hierarchy.ts';
import type { webcrypto } from 'node:crypto';
import { TempDir, inspectCertificate, opensslOk, verifyChain } from './openssl.ts';
import { daysAfter, now, rsa1024Key, rsa2048Key, sharedHierarchy } from './fixtures.ts';

async function peculiarCsr(keys: webcrypto.CryptoKeyPair, cn: string | null, dnsNames: string[], hash = 'SHA-256'): Promise<string> {
  const signingAlgorithm = keys.privateKey.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5', hash };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: cn === null ? [] : [{ CN: [cn] }],
    keys,
    signingAlgorithm,
    extensions: dnsNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value })))] : [],
  });
  return encodePem(csr.rawData, 'CERTIFICATE REQUEST');
}

describe('built-in CA: R-KEY manual CSR', () => {
  let dir: TempDir;
  let hierarchy: CaHierarchy;
  before(async () => {
    dir = new TempDir();
    hierarchy = await sharedHierarchy();
  });
  after(() => dir.remove());

  it('R-KEY manual CSR (@peculiar/x509, RSA 2048): issued for the CSR key, verified by openssl', async () => {
    const key = await rsa2048Key();
    const domains = ['csr.example.com', 'www.csr.example.com'];
    const csrPem = await peculiarCsr(key.keys, 'csr.example.com', domains);
    const result = await issueLeaf(hierarchy, { brand: 'DigiCert', domains, key: { kind: 'csr', csrPem }, notBefore: now, notAfter: daysAfter(now, 365) });
    if (!result.ok) assert.fail(result.message);
    const [leaf, intermediate] = result.certificate.chainPems;
    assert.ok(leaf !== undefined && intermediate !== undefined);
    const v = verifyChain(dir, { root: result.certificate.caPem, intermediate, leaf }, daysAfter(now, 1), 'www.csr.example.com');
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const leafFile = dir.write('leaf.pem', leaf);
    assert.equal(opensslOk(['x509', '-in', leafFile, '-noout', '-pubkey']), key.publicKeyPem);
    assert.equal(result.certificate.keyAlgorithm, 'RSA 2048');
  });

  it('R-KEY manual CSR (openssl req, ECDSA P-384): issued for the CSR key, verified by openssl', async () => {
    const csrFile = `${dir.path}/openssl.csr`;
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', `${dir.path}/openssl-csr.key`,
      '-subj', '/CN=ossl.example.com', '-addext', 'subjectAltName=DNS:ossl.example.com,DNS:*.ossl.example.com', '-out', csrFile]);
    const csrPem = dir.read('openssl.csr');
    const domains = ['ossl.example.com', '*.ossl.example.com'];
    const checked = await checkCsr(csrPem, domains);
    assert.equal(checked.ok, true);
    const result = await issueLeaf(hierarchy, { brand: 'GeoTrust', domains, key: { kind: 'csr', csrPem }, notBefore: now, notAfter: daysAfter(now, 90) });
    if (!result.ok) assert.fail(result.message);
    const [leaf, intermediate] = result.certificate.chainPems;
    assert.ok(leaf !== undefined && intermediate !== undefined);
    const v = verifyChain(dir, { root: result.certificate.caPem, intermediate, leaf }, daysAfter(now, 1), 'a.ossl.example.com');
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const leafFile = dir.write('leaf.pem', leaf);
    assert.equal(opensslOk(['x509', '-in', leafFile, '-noout', '-pubkey']), opensslOk(['req', '-in', csrFile, '-noout', '-pubkey']));
    const info = inspectCertificate(dir, leaf);
    assert.deepEqual(info.dnsNames, domains);
    assert.equal(info.subject, 'CN=ossl.example.com');
    assert.equal(result.certificate.keyAlgorithm, 'ECDSA P-384');
  });

  it('R-KEY manual CSR: names compare as sets, case-insensitively, CN included', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const csrPem = await peculiarCsr(key.keys, 'B.example.com', ['a.example.com', 'b.example.com']);
    const checked = await checkCsr(csrPem, ['b.example.com', 'A.EXAMPLE.COM']);
    assert.equal(checked.ok, true);
    const noCn = await checkCsr(await peculiarCsr(key.keys, null, ['a.example.com']), ['a.example.com']);
    assert.equal(noCn.ok, true);
  });

  it('R-KEY manual CSR: a CSR with mismatching names is rejected, reporting missing and extra names', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const csrPem = await peculiarCsr(key.keys, 'a.example.com', ['a.example.com', 'evil.example.net']);
    const result = await issueLeaf(hierarchy, { brand: 'DigiCert', domains: ['a.example.com', 'b.example.com'], key: { kind: 'csr', csrPem }, notBefore: now, notAfter: daysAfter(now, 10) });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.reason, CsrReason.CSRNameMismatch);
    assert.match(result.message, /missing "b\.example\.com"; not requested "evil\.example\.net"/);
    const direct = await checkCsr(csrPem, ['a.example.com', 'b.example.com']);
    assert.equal(direct.ok, false);
    if (!direct.ok) {
      assert.deepEqual(direct.missing, ['b.example.com']);
      assert.deepEqual(direct.extra, ['evil.example.net']);
    }
  });

  it('R-KEY manual CSR: a CN that is not among the domains counts as a mismatch', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const result = await checkCsr(await peculiarCsr(key.keys, 'My Company', ['a.example.com']), ['a.example.com']);
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.reason, result.extra], [CsrReason.CSRNameMismatch, ['my company']]);
  });

  it('R-KEY: a CSR with an RSA 1024 key is rejected as WeakKey', async () => {
    const weak = await rsa1024Key();
    const result = await checkCsr(await peculiarCsr(weak.keys, 'a.example.com', ['a.example.com']), ['a.example.com']);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.reason, CsrReason.WeakKey, result.message);
  });

  it('R-KEY manual CSR: an altered CSR fails its signature check', async () => {
    const key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    const csrPem = await peculiarCsr(key.keys, 'aaaa.example.com', ['aaaa.example.com']);
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const at = der.indexOf('aaaa.example.com');
    der[at] = 'b'.charCodeAt(0); // the CN now reads "baaa.example.com"; the signature no longer matches
    const result = await checkCsr(encodePem(der, 'CERTIFICATE REQUEST'), ['baaa.example.com', 'aaaa.example.com']);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.reason, CsrReason.CSRSignatureInvalid, result.message);
  });

  const malformed: [string, string][] = [
    ['empty', ''],
    ['not PEM', 'hello'],
    ['a certificate instead of a CSR', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'],
    ['garbage inside the armor', '-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE REQUEST-----\n'],
    ['two CSRs', `${'-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n'.repeat(2)}`],
  ];
  for (const [name, csrPem] of malformed) {
    it(`R-KEY manual CSR: ${name} is MalformedCSR`, async () => {
      const result = await checkCsr(csrPem, ['a.example.com']);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.reason, CsrReason.MalformedCSR, result.message);
    });
  }
});
