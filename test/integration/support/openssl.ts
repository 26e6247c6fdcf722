// Reads certificates with the openssl CLI: an independent check of what the operator wrote.
import { execFileSync } from 'node:child_process';

export interface OpenSslFacts {
  notBefore: string;
  notAfter: string;
  serial: string;
  sans: string[];
}

function gmt(text: string): string {
  return new Date(text).toISOString().replace('.000Z', 'Z');
}

/** The first certificate of `pem` as openssl sees it; dates normalised to RFC 3339 UTC. */
export function opensslFacts(pem: string): OpenSslFacts {
  const out = execFileSync('openssl', ['x509', '-noout', '-startdate', '-enddate', '-serial', '-ext', 'subjectAltName'], { input: pem, encoding: 'utf8' });
  const get = (k: string): string => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  const sans = [...out.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1] ?? '');
  return { notBefore: gmt(get('notBefore')), notAfter: gmt(get('notAfter')), serial: get('serial').toLowerCase(), sans };
}
