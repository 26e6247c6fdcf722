// R-WILDCARD at admission: the schema of one domain name, shared by Certificate.spec.domains and
// DeploymentTarget.spec.domains. The rules mirror parseDomain() in src/domain/domain-names.ts (a unit
// test checks that both agree); the controller checks again, so a rule missed here is caught there.
//
// Regular expressions avoid backslashes ('[.]' and '[*]' instead of escapes) so the CEL text reads
// the same in TypeScript, in YAML and in CEL.

import type { Schema } from './schema.ts';
import { string } from './schema.ts';

export const maxDomainLength = 253;

/** A wildcard only as the whole leftmost label, once, with a parent of at least two labels. */
export const wildcardShapePattern = '^([*][.][^*.]+[.][^*]+|[^*]+)$';
/** The last label is all digits: an IP address (also in wildcard form like *.10.0.0), not a DNS name. */
export const numericLastLabelPattern = '(^|[.])[0-9]+$';
/** A lowercase DNS name with an optional leading `*.`; labels 1..63 of [a-z0-9-], no '-' at either end. */
export const dnsNamePattern =
  '^([*][.])?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?([.][a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';

export const domainRuleMessages = {
  wildcard:
    'A wildcard must be the whole leftmost label, used once, with a parent of at least two labels, as in ' +
    '*.example.com; names like *.*.example.com, a*.example.com or *.com cannot be issued (R-WILDCARD).',
  trailingDot: "Write each domain without a trailing dot: shop.example.com rather than 'shop.example.com.'.",
  ipAddress:
    'A domain must be a DNS name, not an IP address (also not in wildcard form like *.10.0.0): its last ' +
    'label cannot be all digits (R-WILDCARD).',
  syntax:
    'Each domain must be a lowercase DNS name such as shop.example.com: labels of 1 to 63 characters from ' +
    "a-z, 0-9 and '-', not starting or ending with '-'; write internationalized names in their xn-- form.",
} as const;

export function domainNameSchema(description: string): Schema<string> {
  return string({
    description,
    minLength: 1,
    maxLength: maxDomainLength,
    rules: [
      { rule: `self.matches('${wildcardShapePattern}')`, message: domainRuleMessages.wildcard },
      { rule: "!self.endsWith('.')", message: domainRuleMessages.trailingDot },
      { rule: `!self.matches('${numericLastLabelPattern}')`, message: domainRuleMessages.ipAddress },
      {
        // Only when none of the rules above fired, so one mistake gives one message.
        rule:
          `!self.matches('${wildcardShapePattern}') || self.endsWith('.') || ` +
          `self.matches('${numericLastLabelPattern}') || self.matches('${dnsNamePattern}')`,
        message: domainRuleMessages.syntax,
      },
    ],
  });
}
