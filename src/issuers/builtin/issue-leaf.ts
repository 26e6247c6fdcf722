// Issuing a leaf certificate from the built-in CA: names, key policy (R-KEY), validity checks
// (R-VALIDITY, R-PROFILE) and the cut to the issuing intermediate (R-CAP).
import { x509 } from './x509.ts';
import { decodePem, encodePem } from './pem.ts';
import { checkPublicKeyDer, type KeySpec } from './keys.ts';
import { checkCsr, CsrReason } from './csr.ts';
import { selectIntermediate, signatureHashFor, type CaHierarchy } from './ca-hierarchy.ts';
import { certificateFacts } from './certificate-facts.ts';
import { randomSerialNumberHex } from './serial-number.ts';
import { quoteUserText } from './user-text.ts';
import type { ApplicationKey, IssueFailure, IssueResult } from '../issuer.ts';

export const IssueReason = {
  InvalidDomains: 'InvalidDomains',
  InvalidValidity: 'InvalidValidity',
  ValidityTooLong: 'ValidityTooLong',
  NoIntermediate: 'NoIntermediate',
  MalformedPublicKey: 'MalformedPublicKey',
  ...CsrReason,
} as const;
export type IssueReason = (typeof IssueReason)[keyof typeof IssueReason];

const DAY_SECONDS = 86_400;
/** R-VALIDITY: the CA/Browser Forum maximum, the default profile's maximum validity. */
export const defaultMaxValiditySeconds = 397 * DAY_SECONDS;

export interface LeafRequest {
  /** Selects the intermediate (`product.brand`). */
  brand: string;
  /** DNS names; the first becomes the subject CN (R-FIRST-DOMAIN). */
  domains: readonly string[];
  key: ApplicationKey;
  notBefore: Date;
  /** Requested notAfter; cut to the intermediate's notAfter when that comes first (R-CAP). */
  notAfter: Date;
  /** R-VALIDITY / R-PROFILE: upper bound on notAfter - notBefore. Default 397 days. */
  maxValiditySeconds?: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);

function failure(reason: IssueReason, message: string, retryable = false): IssueFailure {
  return { ok: false, reason, message, retryable };
}

/**
 * The names to certify, lowercased and deduplicated in order, or a problem. The domain layer validates
 * spec.domains fully (src/domain); this is the CA's own guard against signing garbage.
 */
function checkDomains(domains: readonly string[]): { ok: true; names: string[] } | IssueFailure {
  if (domains.length === 0) return failure(IssueReason.InvalidDomains, 'No domains were requested: list at least one name in spec.domains.');
  const names = [...new Set(domains.map((d) => d.toLowerCase()))];
  for (const name of names) {
    if (name.length > 253 || !DNS_NAME.test(name)) {
      return failure(IssueReason.InvalidDomains, `The domain ${quoteUserText(name)} is not a valid DNS name: fix it in spec.domains.`);
    }
  }
  const first = names[0] ?? '';
  // R-FIRST-DOMAIN: with wildcard and normal names mixed, the CN must be a normal name.
  if (first.startsWith('*.') && names.some((n) => !n.startsWith('*.'))) {
    return failure(IssueReason.InvalidDomains, `The first domain ${quoteUserText(first)} is a wildcard while other names are not: put a normal name first in spec.domains (R-FIRST-DOMAIN).`);
  }
  return { ok: true, names };
}

type CheckedKey = { ok: true; spki: Uint8Array; spec: KeySpec; description: string };

async function checkKey(key: ApplicationKey, names: readonly string[]): Promise<CheckedKey | IssueFailure> {
  if (key.kind === 'csr') {
    const csr = await checkCsr(key.csrPem, names);
    if (!csr.ok) return failure(csr.reason, csr.message);
    return { ok: true, spki: csr.publicKey, spec: csr.keySpec, description: csr.keyAlgorithm };
  }
  const pem = decodePem(key.publicKeyPem);
  const blocks = pem.ok ? pem.blocks.filter((b) => b.label === 'PUBLIC KEY') : [];
  const [block] = blocks;
  if (block === undefined || blocks.length !== 1) {
    return failure(IssueReason.MalformedPublicKey, 'The public key of the application is not one PEM "PUBLIC KEY" block: regenerate the key pair.');
  }
  const checked = checkPublicKeyDer(block.der);
  if (!checked.ok) return failure(checked.reason, checked.message);
  return { ok: true, spki: block.der, spec: checked.spec, description: checked.description };
}

function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** Signs a leaf for `request` with the intermediate of its brand that covers the longest (R-CAP). */
export async function issueLeaf(hierarchy: CaHierarchy, request: LeafRequest): Promise<IssueResult> {
  const domains = checkDomains(request.domains);
  if (!domains.ok) return domains;
  // X.509 times have whole seconds; rounding here keeps the reported truncation exact.
  const notBefore = wholeSeconds(request.notBefore);
  const requestedNotAfter = wholeSeconds(request.notAfter);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(requestedNotAfter.getTime()) || requestedNotAfter.getTime() <= notBefore.getTime()) {
    return failure(IssueReason.InvalidValidity, 'The requested notAfter is not after notBefore.');
  }
  const maxSeconds = request.maxValiditySeconds ?? defaultMaxValiditySeconds;
  const requestedSeconds = (requestedNotAfter.getTime() - notBefore.getTime()) / 1000;
  if (requestedSeconds > maxSeconds) {
    return failure(IssueReason.ValidityTooLong, `The requested validity of ${requestedSeconds} s exceeds the profile's maximum of ${maxSeconds} s (R-VALIDITY).`);
  }
  const key = await checkKey(request.key, domains.names);
  if (!key.ok) return key;
  const choice = selectIntermediate(hierarchy, request.brand, notBefore, requestedNotAfter);
  if (!choice.ok) return failure(IssueReason.NoIntermediate, choice.message, true);
  const intermediate = choice.intermediate;
  // R-CAP: never outlive the issuing CA.
  const notAfter = new Date(Math.min(requestedNotAfter.getTime(), intermediate.notAfter.getTime()));

  const [first] = domains.names;
  // X.520 limits a CN to 64 characters; a longer first name leaves the subject empty, and then
  // RFC 5280 wants the SAN critical.
  const cnFits = first !== undefined && first.length <= 64;
  const usages = key.spec.algorithm === 'RSA'
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumberHex(),
    subject: cnFits ? [{ CN: [first] }] : [],
    issuer: intermediate.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey: key.spki,
    signingKey: intermediate.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: signatureHashFor(intermediate.curve) },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(domains.names.map((value) => ({ type: 'dns' as const, value })), !cnFits),
      await x509.SubjectKeyIdentifierExtension.create(key.spki),
      new x509.AuthorityKeyIdentifierExtension(intermediate.keyIdentifier),
    ],
  });
  const facts = certificateFacts(certificate);
  const leafPem = encodePem(certificate.rawData, 'CERTIFICATE');
  const chainPems = [leafPem, intermediate.certificatePem];
  const truncatedSeconds = (requestedNotAfter.getTime() - facts.notAfter.getTime()) / 1000;
  return {
    ok: true,
    certificate: {
      chainPems,
      chainPem: chainPems.join(''),
      caPem: hierarchy.root.certificatePem,
      serialNumber: facts.serialNumber,
      fingerprintSHA256: facts.fingerprintSHA256,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      requestedNotAfter,
      truncated: truncatedSeconds > 0,
      truncatedSeconds,
      issuer: intermediate.commonName,
      keyAlgorithm: key.description,
    },
  };
}
