import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUploadedCertificate, UploadReason, maxUploadBytes, type UploadInput, type UploadResult } from '../../../src/issuers/builtin/uploaded-certificate.ts';
import { issueLeaf } from '../../../src/issuers/builtin/issue-leaf.ts';
import type { CaHierarchy } from '../../../src/issuers/builtin/ca-hierarchy.ts';
import { generateKeyPair, type GeneratedKeyPair } from '../../../src/issuers/builtin/keys.ts';
import { encodePem } from '../../../src/issuers/builtin/pem.ts';
import type { IssuedCertificate } from '../../../src/issuers/issuer.ts';
import { TempDir, inspectCertificate, opensslOk } from './openssl.ts';
import { daysAfter, now, rsa1024Key, rsa2048Key, sharedHierarchy } from './fixtures.ts';

async function leafFor(h: CaHierarchy, key: { publicKeyPem: string }, domains = ['up.example.com'], days = 90): Promise<IssuedCertificate> {
  const r = await issueLeaf(h, { brand: 'DigiCert', domains, key: { kind: 'publicKey', publicKeyPem: key.publicKeyPem }, notBefore: now, notAfter: daysAfter(now, days) });
  if (!r.ok) assert.fail(r.message);
  return r.certificate;
}

function reasonOf(r: UploadResult): string {
  return r.ok ? 'ok' : r.reason;
}

function base64Body(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
}

/** Fails when `message` contains any 16-character piece of the key's base64 body. */
function assertNoKeyMaterial(message: string, keyPem: string, context: string): void {
  const body = base64Body(keyPem);
  for (let i = 0; i + 16 <= body.length; i++) {
    const piece = body.slice(i, i + 16);
    if (message.includes(piece)) assert.fail(`${context}: message contains key material: ${message}`);
  }
  assert.doesNotMatch(message, /[A-Za-z0-9+/]{40}/, context);
}

describe('built-in CA: uploaded certificates (source: Upload)', () => {
  let dir: TempDir;
  let h: CaHierarchy;
  let key: GeneratedKeyPair;
  let cert: IssuedCertificate;
  let leafPem: string;
  let intermediatePem: string;
  before(async () => {
    dir = new TempDir();
    h = await sharedHierarchy();
    key = await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' });
    cert = await leafFor(h, key, ['up.example.com', 'www.up.example.com']);
    [leafPem = '', intermediatePem = ''] = cert.chainPems;
  });
  after(() => dir.remove());

  const at = (days: number): Date => daysAfter(now, days);

  it('R-NOT-RENEWABLE: a good chain is accepted with its facts, and marked not renewable', async () => {
    const r = await parseUploadedCertificate({ certificate: cert.chainPem, privateKey: key.privateKeyPem, now: at(1) });
    if (!r.ok) assert.fail(r.message);
    const u = r.certificate;
    const info = inspectCertificate(dir, leafPem);
    assert.equal(u.renewable, false);
    assert.equal(u.leaf.serialNumber, info.serial.toLowerCase());
    assert.equal(u.leaf.fingerprintSHA256, opensslOk(['x509', '-in', dir.write('l.pem', leafPem), '-noout', '-fingerprint', '-sha256']).trim().split('=')[1]?.replaceAll(':', '').toLowerCase());
    assert.equal(u.leaf.notBefore.getTime(), info.notBefore.getTime());
    assert.equal(u.leaf.notAfter.getTime(), info.notAfter.getTime());
    assert.equal(u.leaf.subjectCommonName, 'up.example.com');
    assert.deepEqual(u.leaf.dnsNames, ['up.example.com', 'www.up.example.com']);
    assert.equal(u.leaf.issuerCommonName, 'certhost DigiCert CA G1');
    assert.equal(u.leaf.keyAlgorithm, 'ECDSA P-256');
    assert.equal(u.chain.length, 2);
    assert.equal(u.chain[1]?.isCA, true);
    assert.equal(u.chainPem, cert.chainPem);
    assert.deepEqual(u.warnings, []);
  });

  it('accepts bytes as Kubernetes Secret data holds them, and CRLF line ends', async () => {
    const r = await parseUploadedCertificate({
      certificate: new TextEncoder().encode(cert.chainPem.replaceAll('\n', '\r\n')),
      privateKey: new TextEncoder().encode(key.privateKeyPem),
      now: at(1),
    });
    assert.equal(reasonOf(r), 'ok');
  });

  it('RSA 2048 with a PKCS#1 ("RSA PRIVATE KEY") key from openssl is accepted as "RSA 2048"', async () => {
    const rsa = await rsa2048Key();
    const rsaCert = await leafFor(h, rsa);
    const pkcs1 = opensslOk(['pkey', '-in', dir.write('rsa.pem', rsa.privateKeyPem), '-traditional']);
    assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
    const r = await parseUploadedCertificate({ certificate: rsaCert.chainPem, privateKey: pkcs1, now: at(1) });
    if (!r.ok) assert.fail(r.message);
    assert.equal(r.certificate.leaf.keyAlgorithm, 'RSA 2048');
    assert.match(r.certificate.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('a chain made entirely by openssl (SEC1 key with EC PARAMETERS, root included) is accepted', async () => {
    const p = dir.path;
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${p}/ca.key`, '-subj', '/CN=Upload Test CA',
      '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${p}/ca.crt`]);
    opensslOk(['ecparam', '-name', 'prime256v1', '-genkey', '-out', `${p}/leaf.key`]);
    opensslOk(['req', '-new', '-key', `${p}/leaf.key`, '-subj', '/CN=ossl-up.example.com', '-out', `${p}/leaf.csr`]);
    dir.write('ext.cnf', 'subjectAltName=DNS:ossl-up.example.com\nbasicConstraints=critical,CA:FALSE\n');
    opensslOk(['x509', '-req', '-in', `${p}/leaf.csr`, '-CA', `${p}/ca.crt`, '-CAkey', `${p}/ca.key`, '-set_serial', '0x1234abcd', '-days', '20', '-extfile', `${p}/ext.cnf`, '-out', `${p}/leaf.crt`]);
    const leafKey = dir.read('leaf.key');
    assert.match(leafKey, /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
    const leaf = dir.read('leaf.crt');
    const issuedAt = inspectCertificate(dir, leaf).notBefore; // openssl dated it with the real clock
    const r = await parseUploadedCertificate({ certificate: `Bag Attributes: ignored\n${leaf}${dir.read('ca.crt')}`, privateKey: leafKey, now: new Date(issuedAt.getTime() + 3_600_000) });
    if (!r.ok) assert.fail(r.message);
    assert.equal(r.certificate.leaf.serialNumber, '1234abcd');
    assert.equal(r.certificate.leaf.issuerCommonName, 'Upload Test CA');
    assert.deepEqual(r.certificate.warnings, ['tls.crt ends with a root certificate; clients ignore it and it can be left out.']);
    const leafOnly = await parseUploadedCertificate({ certificate: leaf, privateKey: leafKey, now: new Date(issuedAt.getTime() + 3_600_000) });
    assert.equal(leafOnly.ok && leafOnly.certificate.warnings[0]?.startsWith('tls.crt holds only the leaf certificate'), true);
  });

  const cases: { name: string; input: () => Promise<UploadInput> | UploadInput; reason: string; message: RegExp }[] = [
    {
      name: 'KeyMismatch: the key of another certificate',
      input: async () => ({ certificate: cert.chainPem, privateKey: (await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' })).privateKeyPem, now: at(1) }),
      reason: UploadReason.KeyMismatch,
      message: /tls\.key is not the private key of the certificate in tls\.crt \(CN "up\.example\.com"\)/,
    },
    {
      name: 'ChainOutOfOrder: intermediate before the leaf',
      input: () => ({ certificate: intermediatePem + leafPem, privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.ChainOutOfOrder,
      message: /is certificate 2 in tls\.crt: put it first/,
    },
    {
      name: 'ChainOutOfOrder: leaf, root, intermediate',
      input: () => ({ certificate: leafPem + h.root.certificatePem + intermediatePem, privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.ChainOutOfOrder,
      message: /certificate 1 in tls\.crt was issued by certificate 3/,
    },
    {
      name: 'ChainBroken: an intermediate that did not issue the leaf',
      input: () => ({ certificate: leafPem + (h.intermediates[1]?.certificatePem ?? ''), privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.ChainBroken,
      message: /certificate 2 in tls\.crt did not issue certificate 1/,
    },
    {
      name: 'Expired: at notAfter (spec: expired when now >= notAfter)',
      input: () => ({ certificate: cert.chainPem, privateKey: key.privateKeyPem, now: at(90) }),
      reason: UploadReason.Expired,
      message: /expired at 2025-11-13T00:00:00\.000Z: upload a renewed certificate/,
    },
    {
      name: 'NotYetValid: before notBefore',
      input: () => ({ certificate: cert.chainPem, privateKey: key.privateKeyPem, now: at(-1) }),
      reason: UploadReason.NotYetValid,
      message: /not valid before 2025-08-15/,
    },
    {
      name: 'NoCertificate: tls.crt and tls.key swapped',
      input: () => ({ certificate: key.privateKeyPem, privateKey: cert.chainPem, now: at(1) }),
      reason: UploadReason.NoCertificate,
      message: /swapped/,
    },
    {
      name: 'NoCertificate: empty tls.crt',
      input: () => ({ certificate: '', privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.NoCertificate,
      message: /tls\.crt is empty/,
    },
    {
      name: 'NoPrivateKey: empty tls.key',
      input: () => ({ certificate: cert.chainPem, privateKey: new Uint8Array(), now: at(1) }),
      reason: UploadReason.NoPrivateKey,
      message: /tls\.key is empty/,
    },
    {
      name: 'NoPrivateKey: a certificate in tls.key',
      input: () => ({ certificate: cert.chainPem, privateKey: leafPem, now: at(1) }),
      reason: UploadReason.NoPrivateKey,
      message: /tls\.key holds no private key/,
    },
    {
      name: 'MalformedPEM: unterminated block',
      input: () => ({ certificate: leafPem.replace('-----END CERTIFICATE-----', ''), privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.MalformedPEM,
      message: /has no END line/,
    },
    {
      name: 'MalformedPEM: a truncated key',
      input: () => ({ certificate: cert.chainPem, privateKey: key.privateKeyPem.slice(0, 100), now: at(1) }),
      reason: UploadReason.MalformedPEM,
      message: /tls\.key is not valid PEM/,
    },
    {
      name: 'MalformedPrivateKey: key bytes altered',
      input: () => ({ certificate: cert.chainPem, privateKey: encodePem(Buffer.from(base64Body(key.privateKeyPem), 'base64').subarray(0, 40), 'PRIVATE KEY'), now: at(1) }),
      reason: UploadReason.MalformedPrivateKey,
      message: /cannot be read/,
    },
    {
      name: 'MalformedCertificate: armor around garbage',
      input: () => ({ certificate: encodePem(Buffer.from('not a certificate at all'), 'CERTIFICATE'), privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.MalformedCertificate,
      message: /certificate 1 in tls\.crt is not a valid X\.509 certificate/,
    },
    {
      name: 'TooLarge: more than 1 MiB',
      input: () => ({ certificate: 'A'.repeat(maxUploadBytes + 1), privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.TooLarge,
      message: /larger than 1 MiB/,
    },
    {
      name: 'NoCertificate: DER instead of PEM',
      input: () => ({ certificate: Buffer.from(base64Body(leafPem), 'base64'), privateKey: key.privateKeyPem, now: at(1) }),
      reason: UploadReason.NoCertificate,
      message: /openssl x509 -inform der/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const r = await parseUploadedCertificate(await c.input());
      assert.equal(reasonOf(r), c.reason, r.ok ? '' : r.message);
      if (!r.ok) assert.match(r.message, c.message);
    });
  }

  it('R-KEY: an uploaded certificate with an RSA 1024 key is rejected as WeakKey', async () => {
    const weak = await rsa1024Key();
    const keyFile = dir.write('weak.key', weak.privateKeyPem);
    const certFile = `${dir.path}/weak.crt`;
    opensslOk(['req', '-x509', '-key', keyFile, '-subj', '/CN=weak.example.com', '-days', '30', '-out', certFile]);
    const r = await parseUploadedCertificate({ certificate: dir.read('weak.crt'), privateKey: weak.privateKeyPem, now: at(1) });
    assert.equal(reasonOf(r), UploadReason.WeakKey);
    if (!r.ok) assert.match(r.message, /RSA 1024, which is too weak/);
  });

  it('an encrypted key (PKCS#8 or legacy PEM) is EncryptedPrivateKey, with the openssl command to decrypt it', async () => {
    const keyFile = dir.write('plain.key', key.privateKeyPem);
    const pkcs8 = opensslOk(['pkey', '-in', keyFile, '-aes256', '-passout', 'pass:secret']);
    const legacy = opensslOk(['ec', '-in', keyFile, '-aes256', '-passout', 'pass:secret']);
    assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
    for (const encrypted of [pkcs8, legacy]) {
      const r = await parseUploadedCertificate({ certificate: cert.chainPem, privateKey: encrypted, now: at(1) });
      assert.equal(reasonOf(r), UploadReason.EncryptedPrivateKey);
      if (!r.ok) assert.match(r.message, /openssl pkey/);
    }
  });

  it('garbage, empty, huge inputs and non-strings are problems, never exceptions', async () => {
    const inputs: unknown[] = ['', ' \n\t', '\u0000\u0001', 'x'.repeat(maxUploadBytes), '-----BEGIN CERTIFICATE-----\n'.repeat(30_000), `-----BEGIN CERTIFICATE-----\n${'QUJD'.repeat(200_000)}\n-----END CERTIFICATE-----\n`, new Uint8Array(maxUploadBytes + 1), null, undefined, 42, {}];
    for (const input of inputs) {
      const r = await parseUploadedCertificate({ certificate: input as string, privateKey: input as string, now: at(1) });
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(Object.values(UploadReason).includes(r.reason) && r.message.length > 10);
    }
  });

  it('property: the parser never throws and always answers a known reason, on random strings and bytes', async () => {
    const reasons: readonly string[] = Object.values(UploadReason);
    const check = async (certificate: string | Uint8Array, privateKey: string | Uint8Array): Promise<void> => {
      const r = await parseUploadedCertificate({ certificate, privateKey, now: at(1) });
      if (!r.ok) {
        assert.ok(reasons.includes(r.reason));
        assert.ok(r.message.length > 0);
        assert.doesNotMatch(r.message, /could not be read/, 'an exception reached the catch-all');
      }
    };
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 500 }), check), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), fc.uint8Array({ maxLength: 500 }), check), { numRuns: 300 });
    // Random bytes inside PEM armor reach the ASN.1 parsers.
    const armored = (label: string) => fc.uint8Array({ minLength: 1, maxLength: 1500 }).map((b) => encodePem(b, label));
    await fc.assert(fc.asyncProperty(armored('CERTIFICATE'), armored('PRIVATE KEY'), check), { numRuns: 300 });
  });

  it('property: a valid chain with random bytes changed or cut never makes the parser throw', async () => {
    const leafDer = Buffer.from(base64Body(leafPem), 'base64');
    const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(leafDer.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(leafDer.length))
      .map(([edits, cut]) => {
        const der = Buffer.from(leafDer);
        for (const [i, v] of edits) der[i] = v;
        return encodePem(der.subarray(0, Math.max(1, cut)), 'CERTIFICATE');
      });
    await fc.assert(fc.asyncProperty(mutated, async (certificate) => {
      const r = await parseUploadedCertificate({ certificate: certificate + intermediatePem, privateKey: key.privateKeyPem, now: at(1) });
      // The catch-all message would mean an exception escaped a specific check.
      if (!r.ok) assert.doesNotMatch(r.message, /could not be read/);
    }), { numRuns: 300 });
  });

  it('private key text never appears in any error message', async () => {
    const rsa = await rsa2048Key();
    const otherCert = await leafFor(h, await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' }));
    const keyFile = dir.write('k.pem', key.privateKeyPem);
    const encrypted = opensslOk(['pkey', '-in', keyFile, '-aes256', '-passout', 'pass:secret']);
    const inputs: [string, UploadInput][] = [
      ['key mismatch', { certificate: otherCert.chainPem, privateKey: key.privateKeyPem, now: at(1) }],
      ['swapped', { certificate: key.privateKeyPem, privateKey: cert.chainPem, now: at(1) }],
      ['key in both', { certificate: key.privateKeyPem, privateKey: key.privateKeyPem, now: at(1) }],
      ['key as certificate armor', { certificate: key.privateKeyPem.replaceAll('PRIVATE KEY', 'CERTIFICATE'), privateKey: key.privateKeyPem, now: at(1) }],
      ['two keys', { certificate: cert.chainPem, privateKey: key.privateKeyPem + rsa.privateKeyPem, now: at(1) }],
      ['out of order', { certificate: intermediatePem + leafPem, privateKey: key.privateKeyPem, now: at(1) }],
      ['expired', { certificate: cert.chainPem, privateKey: key.privateKeyPem, now: at(400) }],
      ['encrypted', { certificate: cert.chainPem, privateKey: encrypted, now: at(1) }],
      ['key with an unknown label', { certificate: cert.chainPem, privateKey: key.privateKeyPem.replaceAll('PRIVATE KEY', 'FANCY PRIVATE KEY'), now: at(1) }],
      ['key with a non-base64 line', { certificate: cert.chainPem, privateKey: key.privateKeyPem.replace('\n', '\n!!\n'), now: at(1) }],
      ['RSA key for an EC certificate', { certificate: cert.chainPem, privateKey: rsa.privateKeyPem, now: at(1) }],
    ];
    for (const [name, input] of inputs) {
      const r = await parseUploadedCertificate(input);
      assert.equal(r.ok, false, name);
      if (r.ok) continue;
      assertNoKeyMaterial(r.message, key.privateKeyPem, name);
      assertNoKeyMaterial(r.message, rsa.privateKeyPem, name);
    }
    // Random damage to the key text: whatever the parser says, it never echoes the key.
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(key.privateKeyPem.length - 1), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 5 }), async (edits) => {
      let text = key.privateKeyPem;
      for (const [i, s] of edits) text = text.slice(0, i) + s + text.slice(i + 1);
      for (const input of [{ certificate: cert.chainPem, privateKey: text }, { certificate: text, privateKey: text }]) {
        const r = await parseUploadedCertificate({ ...input, now: at(1) });
        if (!r.ok) assertNoKeyMaterial(r.message, key.privateKeyPem, 'damaged key');
      }
    }), { numRuns: 200 });
  });
});
