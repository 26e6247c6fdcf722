import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePem, encodePem } from '../../../src/issuers/builtin/pem.ts';

describe('built-in CA: PEM', () => {
  it('encodes with 64-character lines and decodes back, ignoring text around blocks', () => {
    const der = new Uint8Array(100).map((_, i) => i);
    const pem = encodePem(der, 'CERTIFICATE');
    assert.ok(pem.split('\n').every((l) => l.length <= 64));
    const r = decodePem(`subject=CN=x\n${pem}\ntrailing text\n${encodePem(der.subarray(0, 5), 'PRIVATE KEY')}`);
    if (!r.ok) assert.fail(r.problem);
    assert.deepEqual(r.blocks.map((b) => [b.label, b.der.length]), [['CERTIFICATE', 100], ['PRIVATE KEY', 5]]);
    assert.deepEqual(r.blocks[0]?.der, der);
  });

  it('reads RFC 1421 headers of legacy encrypted keys', () => {
    const r = decodePem('-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n');
    assert.equal(r.ok && r.blocks[0]?.headers['Proc-Type'], '4,ENCRYPTED');
  });

  const problems: [string, string, RegExp][] = [
    ['no END', '-----BEGIN CERTIFICATE-----\nAAAA\n', /no END line/],
    ['BEGIN inside a block', '-----BEGIN CERTIFICATE-----\nAAAA\n-----BEGIN CERTIFICATE-----\n', /no END line before the next BEGIN/],
    ['mismatched labels', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n', /begins as CERTIFICATE but ends as PRIVATE KEY/],
    ['non-base64 line', '-----BEGIN CERTIFICATE-----\nAA$A\n-----END CERTIFICATE-----\n', /not base64/],
    ['padding in the middle', '-----BEGIN CERTIFICATE-----\nAA==\nAAAA\n-----END CERTIFICATE-----\n', /not valid base64/],
    ['empty block', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', /is empty/],
    ['too many blocks', '-----BEGIN A-----\nAAAA\n-----END A-----\n'.repeat(65), /more than 64 PEM blocks/],
  ];
  for (const [name, text, problem] of problems) {
    it(`rejects ${name} without quoting the input`, () => {
      const r = decodePem(text);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.problem, problem);
        assert.doesNotMatch(r.problem, /AAAA|AA\$A/);
      }
    });
  }

  it('property: decodePem never throws and round-trips what encodePem wrote', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (text) => {
      decodePem(text);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (der) => {
      const r = decodePem(encodePem(der, 'X'));
      assert.ok(r.ok);
      assert.deepEqual(r.blocks[0]?.der, der);
    }), { numRuns: 200 });
  });
});
