// R-WILDCARD, R-FIRST-DOMAIN, R-DNS-ONLY-WILDCARD, R-VALIDATION-RECORDS.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDomainList, covers, domainTypeOf, parseDomain } from '../../../src/domain/domain-names.ts';
import { FILE_VALIDATION_PATH, validationRecords } from '../../../src/domain/validation-records.ts';

describe('R-WILDCARD coverage', () => {
  const rows: [string, string, string, boolean][] = [
    ['R-WILDCARD *.example.com covers a.example.com', '*.example.com', 'a.example.com', true],
    ['R-WILDCARD *.example.com does not cover a.b.example.com', '*.example.com', 'a.b.example.com', false],
    ['R-WILDCARD a first-level wildcard covers the apex', '*.example.com', 'example.com', true],
    ['R-WILDCARD *.p1.example.com does not cover p1.example.com', '*.p1.example.com', 'p1.example.com', false],
    ['R-WILDCARD *.p1.example.com covers x.p1.example.com', '*.p1.example.com', 'x.p1.example.com', true],
    ['R-WILDCARD www.example.com covers example.com', 'www.example.com', 'example.com', true],
    ['R-WILDCARD www.p1.example.com does not cover p1.example.com', 'www.p1.example.com', 'p1.example.com', false],
    ['R-WILDCARD example.com does not cover www.example.com', 'example.com', 'www.example.com', false],
    ['R-WILDCARD a name covers itself', 'shop.example.com', 'shop.example.com', true],
    ['R-WILDCARD *.example.com does not cover other.com', '*.example.com', 'a.other.com', false],
  ];
  for (const [name, cert, host, expected] of rows) it(name, () => assert.equal(covers(cert, host), expected));
});

describe('R-WILDCARD name validity', () => {
  const valid = ['example.com', 'a-b.example.com', '*.example.com', '*.p1.example.com', 'xn--fiqs8s.example.com', 'localhost'];
  for (const name of valid) it(`R-WILDCARD accepts ${name}`, () => assert.equal(parseDomain(name).ok, true));
  const invalid: [string, unknown, string][] = [
    ['R-WILDCARD rejects *.*.example.com', '*.*.example.com', 'InvalidWildcard'],
    ['R-WILDCARD rejects a * not alone in its label', 'a*.example.com', 'InvalidWildcard'],
    ['R-WILDCARD rejects a * in the middle', 'a.*.example.com', 'InvalidWildcard'],
    ['R-WILDCARD rejects a bare *', '*', 'InvalidWildcard'],
    ['R-WILDCARD rejects a wildcard of a TLD', '*.com', 'InvalidWildcard'],
    ['R-WILDCARD rejects an IP literal', '10.0.0.1', 'IPAddressNotAllowed'],
    ['R-WILDCARD rejects an IP literal in wildcard form', '*.10.0.0', 'IPAddressNotAllowed'],
    ['R-WILDCARD rejects a trailing dot', 'example.com.', 'TrailingDot'],
    ['R-WILDCARD rejects uppercase', 'Example.com', 'InvalidCharacters'],
    ['R-WILDCARD rejects unicode', 'bücher.example', 'InvalidCharacters'],
    ['R-WILDCARD rejects an empty label', 'a..example.com', 'InvalidLabel'],
    ['R-WILDCARD rejects a label starting with -', '-a.example.com', 'InvalidLabel'],
    ['R-WILDCARD rejects a 64-character label', `${'a'.repeat(64)}.com`, 'InvalidLabel'],
    ['R-WILDCARD rejects an empty name', '', 'EmptyDomain'],
    ['R-WILDCARD rejects a non-string', 42, 'EmptyDomain'],
    ['R-WILDCARD rejects a huge name', `${'a.'.repeat(200)}com`, 'DomainTooLong'],
  ];
  for (const [name, input, reason] of invalid) {
    it(name, () => {
      const r = parseDomain(input);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason === reason, JSON.stringify(r));
      assert.ok(!r.ok && r.message.length < 400);
    });
  }
  it('R-WILDCARD parser never throws and always answers ok or a reason with a message (property)', () => {
    const piece = fc.constantFrom('*', '.', '-', 'a', 'z', '0', '9', 'xn--', 'ü', ' ', '..', '10', 'é', '\u0000');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(piece, { maxLength: 40 }).map((a) => a.join('')), fc.anything()), (input) => {
      const r = parseDomain(input);
      return r.ok ? typeof r.name === 'string' && r.name.length <= 253 : r.reason.length > 0 && r.message.length > 0 && r.message.length < 400;
    }));
  });
});

describe('R-FIRST-DOMAIN and R-DNS-ONLY-WILDCARD', () => {
  it('R-FIRST-DOMAIN the first domain is the common name', () => {
    const r = checkDomainList(['shop.example.com', 'www.shop.example.com'], 'HTTP');
    assert.ok(r.ok && r.commonName === 'shop.example.com' && r.domainType === 'multi');
  });
  it('R-FIRST-DOMAIN a wildcard first in a mixed list is rejected', () => {
    const r = checkDomainList(['*.example.com', 'shop.other.com'], 'DNS');
    assert.ok(!r.ok && r.reason === 'WildcardFirst');
  });
  it('R-FIRST-DOMAIN a normal name first in a mixed list is accepted', () => {
    const r = checkDomainList(['shop.other.com', '*.example.com'], 'DNS');
    assert.ok(r.ok && r.domainType === 'mixed');
  });
  it('R-DNS-ONLY-WILDCARD a wildcard with HTTP validation is rejected', () => {
    const r = checkDomainList(['*.example.com'], 'HTTP');
    assert.ok(!r.ok && r.reason === 'WildcardNeedsDNSValidation' && r.message.includes('DNS'));
  });
  it('R-FIRST-DOMAIN duplicates and empty lists are rejected', () => {
    assert.ok(!checkDomainList([], 'DNS').ok);
    const d = checkDomainList(['a.example.com', 'a.example.com'], 'DNS');
    assert.ok(!d.ok && d.reason === 'DuplicateDomain');
  });
  it('R-FIRST-DOMAIN the declared domain type must match the names', () => {
    const r = checkDomainList(['a.example.com', 'b.example.com'], 'DNS', 'single');
    assert.ok(!r.ok && r.reason === 'DomainTypeMismatch');
    assert.equal(domainTypeOf(['*.a.com', '*.b.com']), 'wildcard');
    assert.equal(domainTypeOf(['a.com']), 'single');
  });
});

describe('R-VALIDATION-RECORDS', () => {
  it('R-VALIDATION-RECORDS DNS asks for a TXT _dnsauth.<domain> per domain, wildcards at their parent', () => {
    const r = validationRecords(['shop.example.com', '*.example.com'], 'DNS', 'nonce-1');
    assert.equal(r.length, 2);
    assert.deepEqual(r.map((x) => [x.recordType, x.recordName]), [['TXT', '_dnsauth.shop.example.com'], ['TXT', '_dnsauth.example.com']]);
    assert.notEqual(r[0]?.recordValue, r[1]?.recordValue);
  });
  it('R-VALIDATION-RECORDS R-DNS-ONLY-WILDCARD file validation: one URL per name, the apex and www. each their own', () => {
    const r = validationRecords(['example.com', 'www.example.com'], 'HTTP', 'n');
    assert.deepEqual(r.map((x) => x.path), [`http://example.com${FILE_VALIDATION_PATH}`, `http://www.example.com${FILE_VALIDATION_PATH}`]);
    assert.notEqual(r[0]?.content, r[1]?.content);
  });
  it('R-VALIDATION-RECORDS the same nonce asks for the same records (replay-safe), another nonce for others', () => {
    assert.deepEqual(validationRecords(['a.com'], 'DNS', 'x'), validationRecords(['a.com'], 'DNS', 'x'));
    assert.notDeepEqual(validationRecords(['a.com'], 'DNS', 'x'), validationRecords(['a.com'], 'DNS', 'y'));
  });
});
