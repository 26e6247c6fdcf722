// The independent verifier: the openssl CLI. Every chain the built-in CA issues is checked by it, so
// the tests do not trust @peculiar/x509 to judge its own output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function openssl(args: readonly string[], cwd?: string): Run {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like openssl() but fails the test with openssl's output when it exits non-zero. */
export function opensslOk(args: readonly string[], cwd?: string): string {
  const r = openssl(args, cwd);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A temporary directory for PEM files; keys written here are test keys made at test time. */
export class TempDir {
  readonly path: string;
  constructor() {
    this.path = mkdtempSync(join(tmpdir(), 'certhost-issuers-'));
  }
  write(name: string, content: string): string {
    const file = join(this.path, name);
    writeFileSync(file, content);
    return file;
  }
  read(name: string): string {
    return readFileSync(join(this.path, name), 'utf8');
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface ChainFiles {
  root: string;
  intermediate: string;
  leaf: string;
}

/**
 * `openssl verify -x509_strict -purpose sslserver -attime <at> -CAfile root -untrusted intermediate leaf`,
 * optionally with `-verify_hostname`.
 */
export function verifyChain(dir: TempDir, pems: ChainFiles, at: Date, hostname?: string): Run {
  const root = dir.write('verify-root.pem', pems.root);
  const intermediate = dir.write('verify-intermediate.pem', pems.intermediate);
  const leaf = dir.write('verify-leaf.pem', pems.leaf);
  const args = ['verify', '-x509_strict', '-purpose', 'sslserver', '-attime', String(Math.floor(at.getTime() / 1000)), '-CAfile', root, '-untrusted', intermediate];
  if (hostname !== undefined) args.push('-verify_hostname', hostname);
  args.push(leaf);
  return openssl(args);
}

export interface X509Info {
  notBefore: Date;
  notAfter: Date;
  /** RFC 2253 form, e.g. "CN=a.example.com". */
  subject: string;
  issuer: string;
  dnsNames: string[];
  /** Uppercase hex as openssl prints it. */
  serial: string;
  /** The `-text` dump, for checks on extensions and algorithms. */
  text: string;
}

/** `openssl x509 -noout -dates -ext subjectAltName -subject …` parsed. */
export function inspectCertificate(dir: TempDir, pem: string): X509Info {
  const file = dir.write('inspect.pem', pem);
  const out = opensslOk(['x509', '-in', file, '-noout', '-dates', '-dateopt', 'iso_8601', '-ext', 'subjectAltName', '-subject', '-issuer', '-serial', '-nameopt', 'RFC2253']);
  const field = (name: string): string => {
    const m = new RegExp(`^${name}=(.*)$`, 'm').exec(out);
    if (m?.[1] === undefined) throw new Error(`openssl output lacks ${name}:\n${out}`);
    return m[1].trim();
  };
  const isoDate = (text: string): Date => new Date(text.replace(' ', 'T'));
  const sanLine = /X509v3 Subject Alternative Name:.*\n\s*(.*)/.exec(out)?.[1] ?? '';
  const dnsNames = sanLine.split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  return {
    notBefore: isoDate(field('notBefore')),
    notAfter: isoDate(field('notAfter')),
    subject: field('subject'),
    issuer: field('issuer'),
    dnsNames,
    serial: field('serial'),
    text: opensslOk(['x509', '-in', file, '-noout', '-text']),
  };
}
