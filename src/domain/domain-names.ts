// R-WILDCARD, R-FIRST-DOMAIN, R-DNS-ONLY-WILDCARD: what a domain name may be, what a certificate's
// names cover, and which validation methods fit them.
import type { DomainType } from '../api/product.ts';

export type DomainProblemReason =
  | 'EmptyDomain'
  | 'DomainTooLong'
  | 'InvalidCharacters'
  | 'InvalidLabel'
  | 'TrailingDot'
  | 'IPAddressNotAllowed'
  | 'InvalidWildcard'
  | 'NoDomains'
  | 'DuplicateDomain'
  | 'WildcardFirst'
  | 'WildcardNeedsDNSValidation'
  | 'DomainTypeMismatch';

export type DomainProblem = { ok: false; reason: DomainProblemReason; domain?: string; message: string };
export type ParsedDomain = { ok: true; name: string; wildcard: boolean; labels: string[] };

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

function problem(reason: DomainProblemReason, domain: string, message: string): DomainProblem {
  // Echo at most 80 characters of the input back so a huge value cannot bloat a condition.
  const shown = domain.length > 80 ? `${domain.slice(0, 77)}...` : domain;
  return { ok: false, reason, domain: shown, message: message.replace('%s', JSON.stringify(shown)) };
}

/** Parses one name of `spec.domains`. Never throws. */
export function parseDomain(input: unknown): ParsedDomain | DomainProblem {
  if (typeof input !== 'string' || input.length === 0) {
    return problem('EmptyDomain', '', 'A domain name is empty; remove it or write a name such as shop.example.com.');
  }
  if (input.length > MAX_NAME) return problem('DomainTooLong', input, 'The domain %s is longer than 253 characters.');
  if (input.endsWith('.')) return problem('TrailingDot', input, 'The domain %s ends with a dot; write it without the trailing dot.');
  if (!/^[a-z0-9.*-]+$/.test(input)) {
    return problem('InvalidCharacters', input,
      'The domain %s has characters other than lowercase letters, digits, "-", "." and a leading "*"; write internationalized names in their xn-- form and in lowercase.');
  }
  const labels = input.split('.');
  const wildcard = labels[0] === '*';
  // R-WILDCARD: "*" only alone, only in the leftmost label, at most once.
  if (labels.some((l, i) => l.includes('*') && !(i === 0 && l === '*'))) {
    return problem('InvalidWildcard', input, 'The domain %s has a "*" that is not the whole leftmost label; only names like *.example.com are allowed.');
  }
  const rest = wildcard ? labels.slice(1) : labels;
  if (rest.length < (wildcard ? 2 : 1)) {
    return problem('InvalidWildcard', input, 'The wildcard %s has no parent domain; write it as *.example.com.');
  }
  for (const label of rest) {
    if (!LABEL.test(label)) {
      return problem('InvalidLabel', input,
        'The domain %s has an empty or malformed label; each label is 1 to 63 letters, digits or "-", not starting or ending with "-".');
    }
  }
  // IP literals are not domain names, neither plain nor in wildcard form (*.10.0.0).
  if (rest.every((l) => /^\d+$/.test(l)) || (rest.length === 4 && rest.every((l) => /^\d{1,3}$/.test(l))) ||
      (wildcard && rest.length === 3 && rest.every((l) => /^\d{1,3}$/.test(l)))) {
    return problem('IPAddressNotAllowed', input, 'The name %s is an IP address; certificates here are for domain names only.');
  }
  if (/^\d+$/.test(rest[rest.length - 1] ?? '')) {
    return problem('InvalidLabel', input, 'The domain %s ends in an all-numeric label, which is not a valid top-level domain.');
  }
  return { ok: true, name: input, wildcard, labels };
}

/**
 * R-WILDCARD: does a certificate name cover a host? `*.example.com` covers one label below
 * example.com and, being first-level, the apex itself; `www.example.com` covers example.com; deeper
 * wildcards and deeper www names cover only their own level.
 */
export function covers(certName: string, host: string): boolean {
  if (certName === host) return true;
  const c = certName.split('.');
  const h = host.split('.');
  if (c[0] === '*') {
    const parent = c.slice(1).join('.');
    if (h.length === c.length && h.slice(1).join('.') === parent && h[0] !== '' && h[0] !== '*') return true;
    // "First-level" wildcard: its parent is a registrable domain of two labels (example.com).
    return c.length === 3 && host === parent;
  }
  if (c[0] === 'www' && c.length === 3) return host === c.slice(1).join('.');
  return false;
}

/** The first name of `names` that covers `host`, or null. */
export function coveringName(names: readonly string[], host: string): string | null {
  return names.find((n) => covers(n, host)) ?? null;
}

/** The domain type (spec section 1) a list of names has. */
export function domainTypeOf(names: readonly string[]): DomainType {
  const wild = names.filter((n) => n.startsWith('*.')).length;
  if (wild === 0) return names.length === 1 ? 'single' : 'multi';
  return wild === names.length ? 'wildcard' : 'mixed';
}

export type ValidationMethod = 'DNS' | 'HTTP';

export type DomainListResult = { ok: true; commonName: string; domainType: DomainType } | DomainProblem;

/**
 * Checks `spec.domains` as a whole: each name (R-WILDCARD), no duplicates, the first name is the common
 * name and is not a wildcard when names are mixed (R-FIRST-DOMAIN), wildcards only with DNS validation
 * (R-DNS-ONLY-WILDCARD), and the declared domain type matches the names.
 */
export function checkDomainList(names: readonly unknown[], method: ValidationMethod, declared?: DomainType): DomainListResult {
  if (names.length === 0) return { ok: false, reason: 'NoDomains', message: 'spec.domains is empty; list at least one domain name.' };
  const seen = new Set<string>();
  for (const raw of names) {
    const parsed = parseDomain(raw);
    if (!parsed.ok) return parsed;
    if (seen.has(parsed.name)) return problem('DuplicateDomain', parsed.name, 'The domain %s is listed twice; list each name once.');
    seen.add(parsed.name);
    if (parsed.wildcard && method !== 'DNS') {
      return problem('WildcardNeedsDNSValidation', parsed.name,
        'The wildcard %s can only be validated by DNS; set spec.validation.method to DNS.');
    }
  }
  const list = names as string[];
  const type = domainTypeOf(list);
  const first = list[0] as string;
  if (type === 'mixed' && first.startsWith('*.')) {
    return problem('WildcardFirst', first,
      'The first domain %s is a wildcard but the list also has normal names; put a normal name first, it becomes the common name.');
  }
  if (declared !== undefined && declared !== type) {
    return {
      ok: false, reason: 'DomainTypeMismatch',
      message: `The domains make a ${type} certificate but spec.product.domainType is ${declared}; change one of them so they agree.`,
    };
  }
  return { ok: true, commonName: first, domainType: type };
}
