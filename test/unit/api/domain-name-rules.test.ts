// R-WILDCARD at admission: the CEL rules on each domain (src/api/domain-name-schema.ts) accept exactly
// the names parseDomain() in src/domain accepts, and give one message per mistake.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { domainNameSchema, domainRuleMessages } from '../../../src/api/domain-name-schema.ts';
import { parseDomain } from '../../../src/domain/domain-names.ts';
import { structuralProblems } from './openapi-check.ts';
import { evaluateRule } from './cel-subset.ts';

const schema = domainNameSchema('a domain').json;

/** The messages admission would give for one domain: structural bounds first, then the CEL rules. */
function admission(name: string): string[] {
  const structural = structuralProblems(schema, name).map((p) => p.message);
  const cel = (schema['x-kubernetes-validations'] ?? []).filter((r) => evaluateRule(r.rule, { self: name }) !== true).map((r) => r.message);
  return [...structural, ...cel];
}

describe('R-WILDCARD domain rules at admission', () => {
  const accepted = ['example.com', 'shop.example.com', 'a-b.example.com', '*.example.com', '*.p1.example.com', 'xn--fiqs8s.example.com', 'localhost', `${'a'.repeat(63)}.com`, '1.example.com'];
  for (const name of accepted) it(`R-WILDCARD accepts ${name.length > 40 ? `${name.slice(0, 20)}…` : name}`, () => assert.deepEqual(admission(name), []));

  const rejected: [string, string, string][] = [
    ['R-WILDCARD *.*.example.com', '*.*.example.com', domainRuleMessages.wildcard],
    ['R-WILDCARD a * inside a label', 'a*.example.com', domainRuleMessages.wildcard],
    ['R-WILDCARD a * in the middle', 'a.*.example.com', domainRuleMessages.wildcard],
    ['R-WILDCARD a bare *', '*', domainRuleMessages.wildcard],
    ['R-WILDCARD a wildcard of a TLD', '*.com', domainRuleMessages.wildcard],
    ['an IP literal', '10.0.0.1', domainRuleMessages.ipAddress],
    ['R-WILDCARD an IP literal in wildcard form', '*.10.0.0', domainRuleMessages.ipAddress],
    ['an all-numeric last label', 'example.123', domainRuleMessages.ipAddress],
    ['a trailing dot', 'example.com.', domainRuleMessages.trailingDot],
    ['uppercase', 'Example.com', domainRuleMessages.syntax],
    ['unicode', 'bücher.example', domainRuleMessages.syntax],
    ['an empty label', 'a..example.com', domainRuleMessages.syntax],
    ["a label starting with '-'", '-a.example.com', domainRuleMessages.syntax],
    ["a label ending with '-'", 'a-.example.com', domainRuleMessages.syntax],
    ['a 64-character label', `${'a'.repeat(64)}.com`, domainRuleMessages.syntax],
    ['an underscore', 'a_b.example.com', domainRuleMessages.syntax],
    ['a space', 'a b.example.com', domainRuleMessages.syntax],
  ];
  for (const [name, input, message] of rejected) {
    it(`rejects ${name} with one message`, () => assert.deepEqual(admission(input), [message]));
  }

  it('rejects names over 253 characters by maxLength', () => {
    assert.deepEqual(admission(`${'a.'.repeat(126)}com`), ['Too long: may not be more than 253 bytes']);
  });

  it('admission and parseDomain() agree on every name (property)', () => {
    const piece = fc.constantFrom('*', '.', '-', 'a', 'z', '0', '9', 'xn--', 'ü', ' ', '..', '10', 'A', '_', 'example', 'com', '*.');
    const names = fc.oneof(
      fc.array(piece, { minLength: 1, maxLength: 30 }).map((a) => a.join('')),
      fc.domain(),
      fc.domain().map((d) => `*.${d}`),
      fc.ipV4(),
      fc.ipV4().map((ip) => `*.${ip.split('.').slice(1).join('.')}`),
      fc.string({ minLength: 1, maxLength: 300 }),
    );
    fc.assert(
      fc.property(names, (name) => {
        const admitted = admission(name).length === 0;
        assert.equal(admitted, parseDomain(name).ok, `${JSON.stringify(name)}: admission ${admitted}, parseDomain ${!admitted}`);
      }),
      { numRuns: 3000 },
    );
  });
});
