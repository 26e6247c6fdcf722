// R-KEY manual CSR: the user's own PKCS#10 request. The operator checks proof of possession (the
// signature), the key (R-KEY) and that the request names exactly the certificate's domains.
import { x509 } from './x509.ts';
import { decodePem } from './pem.ts';
import { checkPublicKeyDer, KeyReason, type KeySpec } from './keys.ts';
import { listUserText } from './user-text.ts';

export const CsrReason = {
  MalformedCSR: 'MalformedCSR',
  CSRSignatureInvalid: 'CSRSignatureInvalid',
  CSRNameMismatch: 'CSRNameMismatch',
  ...KeyReason,
} as const;
export type CsrReason = (typeof CsrReason)[keyof typeof CsrReason];

export interface CheckedCsr {
  ok: true;
  /** DER SubjectPublicKeyInfo of the request. */
  publicKey: Uint8Array;
  keySpec: KeySpec;
  keyAlgorithm: string;
  /** Lowercased CN and DNS SAN names of the request, deduplicated. */
  names: string[];
}

export interface CsrProblem {
  ok: false;
  reason: CsrReason;
  message: string;
  /** CSRNameMismatch: requested domains the CSR lacks. */
  missing: string[];
  /** CSRNameMismatch: names in the CSR that were not requested. */
  extra: string[];
}

const MAX_CSR_CHARS = 64 * 1024;

function problem(reason: CsrReason, message: string, missing: string[] = [], extra: string[] = []): CsrProblem {
  return { ok: false, reason, message, missing, extra };
}

/** The CN and DNS SAN names of a request, lowercased. */
function namesOf(csr: x509.Pkcs10CertificateRequest): string[] {
  const names = csr.subjectName.getField('CN');
  for (const ext of csr.extensions) {
    if (ext instanceof x509.SubjectAlternativeNameExtension) {
      for (const n of ext.names.items) if (n.type === 'dns') names.push(n.value);
    }
  }
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** Parses and checks a PEM CSR against the requested domains (set equality, case-insensitive). Never throws. */
export async function checkCsr(csrPem: string, domains: readonly string[]): Promise<CheckedCsr | CsrProblem> {
  const fix = 'create a new CSR (for example with `openssl req -new`) and store its PEM in the CSR Secret';
  if (csrPem.length > MAX_CSR_CHARS) return problem(CsrReason.MalformedCSR, `The CSR is larger than 64 KiB: ${fix}.`);
  const pem = decodePem(csrPem);
  if (!pem.ok) return problem(CsrReason.MalformedCSR, `The CSR is not valid PEM (${pem.problem}): ${fix}.`);
  const blocks = pem.blocks.filter((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
  const [block] = blocks;
  if (block === undefined || blocks.length !== 1) {
    return problem(CsrReason.MalformedCSR, `The CSR Secret must hold exactly one "-----BEGIN CERTIFICATE REQUEST-----" block, found ${blocks.length}: ${fix}.`);
  }
  let csr: x509.Pkcs10CertificateRequest;
  let names: string[];
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
    names = namesOf(csr);
  } catch {
    return problem(CsrReason.MalformedCSR, `The CSR cannot be parsed: ${fix}.`);
  }
  // R-KEY before the signature: an unsupported key would otherwise show up as a bad signature.
  const key = checkPublicKeyDer(csr.publicKey.rawData);
  if (!key.ok) return problem(key.reason, `The CSR's key is not accepted. ${key.message}`);
  let signatureOk: boolean;
  try {
    signatureOk = await csr.verify();
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) {
    return problem(CsrReason.CSRSignatureInvalid, `The CSR's signature does not verify (the request was altered or signed with another key): ${fix}.`);
  }
  const wanted = new Set(domains.map((d) => d.toLowerCase()));
  const have = new Set(names);
  const missing = [...wanted].filter((d) => !have.has(d));
  const extra = names.filter((n) => !wanted.has(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${listUserText(missing)}`);
    if (extra.length > 0) parts.push(`not requested ${listUserText(extra)}`);
    return problem(
      CsrReason.CSRNameMismatch,
      `The CSR's names (common name and DNS subject alternative names) differ from spec.domains: ${parts.join('; ')}. Create a CSR whose names are exactly the certificate's domains, or change spec.domains.`,
      missing,
      extra,
    );
  }
  return { ok: true, publicKey: new Uint8Array(csr.publicKey.rawData), keySpec: key.spec, keyAlgorithm: key.description, names };
}
