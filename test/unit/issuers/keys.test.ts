import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import { checkPublicKeyDer, generateKeyPair, keySpecFor, KeyReason } from '../../../src/issuers/builtin/keys.ts';
import { TempDir, opensslOk } from './openssl.ts';
import { rsa2048Key } from './fixtures.ts';

function spkiDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}

describe('built-in CA: R-KEY keys', () => {
  let dir: TempDir;
  before(() => {
    dir = new TempDir();
  });
  after(() => dir.remove());

  it('R-KEY: generated keys are PKCS#8 PEM that openssl reads with the requested curve or size', async () => {
    const cases = [
      { key: await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-256' }), expect: /NIST CURVE: P-256/ },
      { key: await generateKeyPair({ algorithm: 'ECDSA', curve: 'P-384' }), expect: /NIST CURVE: P-384/ },
      { key: await rsa2048Key(), expect: /Private-Key: \(2048 bit, 2 primes\)/ },
    ];
    for (const c of cases) {
      assert.match(c.key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      const text = opensslOk(['pkey', '-in', dir.write('k.pem', c.key.privateKeyPem), '-noout', '-text']);
      assert.match(text, c.expect);
      assert.equal(opensslOk(['pkey', '-in', dir.write('k.pem', c.key.privateKeyPem), '-pubout']), c.key.publicKeyPem);
    }
  });

  it('R-KEY: keys made by openssl are classified with a reason and a description', () => {
    const cases: [string[], string, string | null][] = [
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ECDSA P-521', KeyReason.UnsupportedKey],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], 'ECDSA secp256k1', KeyReason.UnsupportedKey],
      [['-algorithm', 'ED25519'], 'Ed25519', KeyReason.UnsupportedKey],
      [['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'], 'RSA-PSS', KeyReason.UnsupportedKey],
      [['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], 'RSA 1024', KeyReason.WeakKey],
    ];
    for (const [args, description, reason] of cases) {
      const keyFile = `${dir.path}/gen.pem`;
      opensslOk(['genpkey', ...args, '-out', keyFile]);
      const check = checkPublicKeyDer(spkiDer(opensslOk(['pkey', '-in', keyFile, '-pubout'])));
      assert.equal(check.description, description);
      assert.equal(check.ok ? null : check.reason, reason, description);
      if (!check.ok) assert.match(check.message, /use RSA 2048, 3072 or 4096, or ECDSA P-256 or P-384 \(R-KEY\)/);
    }
    assert.equal(checkPublicKeyDer(new Uint8Array([1, 2, 3])).ok, false);
  });

  it('R-KEY: spec.privateKey {algorithm, size} maps to a key spec or a reason', () => {
    assert.deepEqual(keySpecFor('ECDSA', 256), { ok: true, spec: { algorithm: 'ECDSA', curve: 'P-256' } });
    assert.deepEqual(keySpecFor('ECDSA', 384), { ok: true, spec: { algorithm: 'ECDSA', curve: 'P-384' } });
    for (const size of [2048, 3072, 4096]) assert.deepEqual(keySpecFor('RSA', size), { ok: true, spec: { algorithm: 'RSA', size } });
    assert.equal(keySpecFor('RSA', 1024).ok ? '' : (keySpecFor('RSA', 1024) as { reason: string }).reason, KeyReason.WeakKey);
    for (const [a, s] of [['RSA', 8192], ['ECDSA', 521], ['Ed25519', 256]] as const) {
      const r = keySpecFor(a, s);
      assert.equal(r.ok ? '' : r.reason, KeyReason.UnsupportedKey);
    }
  });
});
