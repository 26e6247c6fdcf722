// R-VALIDATION-RECORDS and R-DNS-ONLY-WILDCARD: exactly what the user must publish, per domain.
import { createHash } from 'node:crypto';
import type { ValidationMethod } from './domain-names.ts';

export interface ValidationRecord {
  domain: string;
  method: ValidationMethod;
  /** DNS: TXT */
  recordType?: 'TXT';
  /** DNS: `_dnsauth.<domain>` (a wildcard is validated at its parent). */
  recordName?: string;
  recordValue?: string;
  /** HTTP: the URL that must answer with `content`. */
  path?: string;
  content?: string;
}

export const FILE_VALIDATION_PATH = '/.well-known/pki-validation/fileauth.txt';

/** The name validated for a domain: the parent of a wildcard, the name itself otherwise. */
export function validatedName(domain: string): string {
  return domain.startsWith('*.') ? domain.slice(2) : domain;
}

/**
 * One record per domain. Values are derived from an unguessable per-application nonce (chosen at
 * random by the controller and kept in status) so a replayed reconcile asks for the same records, and
 * each domain gets its own value: R-DNS-ONLY-WILDCARD, the apex and www. each need their own file.
 */
export function validationRecords(domains: readonly string[], method: ValidationMethod, nonce: string): ValidationRecord[] {
  return domains.map((domain) => {
    const value = createHash('sha256').update(`${nonce}\n${domain}`).digest('base64url').slice(0, 32);
    if (method === 'DNS') {
      return { domain, method, recordType: 'TXT' as const, recordName: `_dnsauth.${validatedName(domain)}`, recordValue: value };
    }
    return { domain, method, path: `http://${domain}${FILE_VALIDATION_PATH}`, content: value };
  });
}
