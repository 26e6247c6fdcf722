// R-VALIDATION-RECORDS / R-REVIEW: the real checks behind "validation: check". A TXT lookup of
// `_dnsauth.<domain>` against the configured nameserver, or an HTTP GET of the file URL at the address
// the nameserver gives for the domain. Failures are values with a message that says what is missing.
import { Resolver } from 'node:dns/promises';
import { request } from 'node:http';
import type { ValidationRecord } from '../domain/validation-records.ts';
import { FILE_VALIDATION_PATH } from '../domain/validation-records.ts';

export interface ValidationCheckOptions {
  nameserver: string | null;
  httpPort: number;
  timeoutMs?: number;
}

export interface ValidationOutcome {
  passed: boolean;
  /** Domains not yet proven, each with what was found. */
  pending: { domain: string; message: string }[];
}

function resolver(o: ValidationCheckOptions): Resolver {
  const r = new Resolver({ timeout: o.timeoutMs ?? 2000, tries: 2 });
  if (o.nameserver) r.setServers([o.nameserver]);
  return r;
}

async function checkDns(r: Resolver, rec: ValidationRecord): Promise<string | null> {
  try {
    const answers = (await r.resolveTxt(rec.recordName ?? '')).map((chunks) => chunks.join(''));
    if (answers.includes(rec.recordValue ?? '')) return null;
    return `TXT ${rec.recordName} does not hold the expected value yet (found ${answers.length} other value${answers.length === 1 ? '' : 's'}).`;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    return code === 'ENOTFOUND' || code === 'ENODATA' ? `TXT ${rec.recordName} is not published yet.` : `TXT lookup of ${rec.recordName} failed (${code}).`;
  }
}

function httpGet(ip: string, port: number, host: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path: FILE_VALIDATION_PATH, method: 'GET', headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        if (body.length > 4096) req.destroy(new Error('response too large'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function checkHttp(r: Resolver, rec: ValidationRecord, o: ValidationCheckOptions): Promise<string | null> {
  let ips: string[];
  try {
    ips = await r.resolve4(rec.domain);
  } catch {
    return `${rec.domain} does not resolve, so ${rec.path} cannot be fetched.`;
  }
  const ip = ips[0];
  if (ip === undefined) return `${rec.domain} has no address.`;
  try {
    const res = await httpGet(ip, o.httpPort, rec.domain, o.timeoutMs ?? 2000);
    if (res.status !== 200) return `${rec.path} answered HTTP ${res.status}; publish the file with the given content.`;
    if (res.body.trim() !== rec.content) return `${rec.path} does not hold the expected content yet.`;
    return null;
  } catch (e) {
    return `${rec.path} could not be fetched (${e instanceof Error ? e.message : String(e)}).`;
  }
}

export async function checkValidation(records: readonly ValidationRecord[], o: ValidationCheckOptions): Promise<ValidationOutcome> {
  const r = resolver(o);
  const results = await Promise.all(records.map(async (rec) => ({ domain: rec.domain, message: rec.method === 'DNS' ? await checkDns(r, rec) : await checkHttp(r, rec, o) })));
  const pending = results.filter((x): x is { domain: string; message: string } => x.message !== null);
  return { passed: pending.length === 0, pending };
}
