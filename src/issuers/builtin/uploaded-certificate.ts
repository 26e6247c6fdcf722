// `source: Upload`: a third-party certificate chain and its private key, read from a Secret.
// Everything here is user input: nothing throws, every problem is a reason constant with a message
// that says what to do, and no message ever contains key material.
// R-NOT-RENEWABLE: an uploaded certificate is never renewed by the operator; `renewable: false`.
import { x509 } from './x509.ts';
import { decodePem, encodePem, type PemBlock } from './pem.ts';
import { checkKeyObject, KeyReason, PrivateKeyReason, readPrivateKey, samePublicKey } from './keys.ts';
import { certificateFacts, type CertificateFacts } from './certificate-facts.ts';
import { quoteUserText } from './user-text.ts';

export const UploadReason = {
  TooLarge: 'TooLarge',
  MalformedPEM: 'MalformedPEM',
  NoCertificate: 'NoCertificate',
  MalformedCertificate: 'MalformedCertificate',
  ...PrivateKeyReason,
  KeyMismatch: 'KeyMismatch',
  ChainOutOfOrder: 'ChainOutOfOrder',
  ChainBroken: 'ChainBroken',
  Expired: 'Expired',
  NotYetValid: 'NotYetValid',
  ...KeyReason,
} as const;
export type UploadReason = (typeof UploadReason)[keyof typeof UploadReason];

export interface UploadInput {
  /** `tls.crt`: PEM certificates, leaf first, then each certificate's issuer. */
  certificate: string | Uint8Array;
  /** `tls.key`: PEM private key (PKCS#8, PKCS#1 or SEC1), unencrypted. */
  privateKey: string | Uint8Array;
  now: Date;
}

export interface UploadedCertificate {
  leaf: CertificateFacts;
  /** Leaf first, as uploaded. */
  chain: CertificateFacts[];
  /** The certificates re-encoded as clean PEM (text around blocks dropped), leaf first. */
  chainPem: string;
  /** The key as PKCS#8 PEM. Data for the Secret, never for a message or a log. */
  privateKeyPem: string;
  /** R-NOT-RENEWABLE. */
  renewable: false;
  /** Problems that do not stop use, as sentences for an Event or condition. */
  warnings: string[];
}

export type UploadProblem = { ok: false; reason: UploadReason; message: string };
export type UploadResult = { ok: true; certificate: UploadedCertificate } | UploadProblem;

/** Kubernetes caps a Secret at 1 MiB; anything larger cannot have come from one. */
export const maxUploadBytes = 1024 * 1024;
/** Longest chain accepted: leaf plus a generous number of intermediates. */
export const maxChainLength = 10;

const CRT = 'tls.crt';
const KEY = 'tls.key';

function problem(reason: UploadReason, message: string): UploadProblem {
  return { ok: false, reason, message };
}

function nth(i: number): string {
  return `certificate ${i + 1} in ${CRT}`;
}

function named(f: CertificateFacts): string {
  return f.subjectCommonName !== null ? `CN ${quoteUserText(f.subjectCommonName)}` : `serial ${f.serialNumber}`;
}

type Text = { ok: true; text: string } | UploadProblem;

function readText(value: unknown, field: string, emptyReason: UploadReason, what: string): Text {
  let text: string;
  if (typeof value === 'string') {
    if (value.length > maxUploadBytes) return problem(UploadReason.TooLarge, `${field} is larger than 1 MiB: it should hold only ${what}.`);
    text = value;
  } else if (value instanceof Uint8Array) {
    if (value.length > maxUploadBytes) return problem(UploadReason.TooLarge, `${field} is larger than 1 MiB: it should hold only ${what}.`);
    text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  } else {
    return problem(emptyReason, `${field} is missing: add ${what} in PEM form to the upload Secret.`);
  }
  if (text.trim() === '') return problem(emptyReason, `${field} is empty: add ${what} in PEM form to the upload Secret.`);
  return { ok: true, text };
}

async function issuedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    if (!Buffer.from(cert.issuerName.toArrayBuffer()).equals(Buffer.from(issuer.subjectName.toArrayBuffer()))) return false;
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Reads and checks an uploaded chain and key at `now`. Never throws; never puts key bytes in a message. */
export async function parseUploadedCertificate(input: UploadInput): Promise<UploadResult> {
  try {
    return await parse(input);
  } catch {
    // A parser bug must not become a crash loop on user data; the message stays generic on purpose.
    return problem(UploadReason.MalformedCertificate, `${CRT} or ${KEY} could not be read: check that both are complete PEM files.`);
  }
}

async function parse(input: UploadInput): Promise<UploadResult> {
  const certText = readText(input.certificate, CRT, UploadReason.NoCertificate, 'the certificate chain (leaf first, then intermediates)');
  if (!certText.ok) return certText;
  const keyText = readText(input.privateKey, KEY, UploadReason.NoPrivateKey, 'the private key of the certificate');
  if (!keyText.ok) return keyText;

  const certPem = decodePem(certText.text);
  if (!certPem.ok) return problem(UploadReason.MalformedPEM, `${CRT} is not valid PEM: ${certPem.problem}. Upload the chain as PEM ("-----BEGIN CERTIFICATE-----" blocks).`);
  const certBlocks = certPem.blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certBlocks.length === 0) {
    const hasKey = certPem.blocks.some((b) => b.label.endsWith('PRIVATE KEY'));
    if (hasKey) return problem(UploadReason.NoCertificate, `${CRT} holds a private key but no certificate: were ${CRT} and ${KEY} swapped?`);
    if (certPem.blocks.length === 0) {
      return problem(UploadReason.NoCertificate, `${CRT} holds no PEM certificate: upload the chain as PEM ("-----BEGIN CERTIFICATE-----"); convert a DER file with \`openssl x509 -inform der -in cert.der -out cert.pem\`.`);
    }
    return problem(UploadReason.NoCertificate, `${CRT} holds no "CERTIFICATE" block: upload the chain as PEM, leaf first.`);
  }
  if (certBlocks.length > maxChainLength) {
    return problem(UploadReason.MalformedPEM, `${CRT} holds ${certBlocks.length} certificates; at most ${maxChainLength} are accepted: keep the leaf and its intermediates.`);
  }

  const certs: x509.X509Certificate[] = [];
  const facts: CertificateFacts[] = [];
  for (const [i, block] of certBlocks.entries()) {
    try {
      const cert = new x509.X509Certificate(block.der);
      facts.push(certificateFacts(cert));
      certs.push(cert);
    } catch {
      return problem(UploadReason.MalformedCertificate, `${nth(i)} is not a valid X.509 certificate: upload the certificate exactly as the CA delivered it.`);
    }
  }

  const keyPem = decodePem(keyText.text);
  if (!keyPem.ok) return problem(UploadReason.MalformedPEM, `${KEY} is not valid PEM: ${keyPem.problem}. Upload the private key as PEM.`);
  const key = readPrivateKey(keyPem.blocks, KEY);
  if (!key.ok) return problem(key.reason, key.message);

  const leafIndex = certs.findIndex((c) => samePublicKey(key.publicKey, c.publicKey.rawData));
  const first = facts[0];
  if (first === undefined) return problem(UploadReason.NoCertificate, `${CRT} holds no certificate.`);
  if (leafIndex < 0) {
    return problem(UploadReason.KeyMismatch, `${KEY} is not the private key of the certificate in ${CRT} (${named(first)}): upload the key that belongs to this certificate, or the certificate issued for this key.`);
  }
  if (leafIndex > 0) {
    return problem(UploadReason.ChainOutOfOrder, `The certificate of the key in ${KEY} is ${nth(leafIndex)}: put it first in ${CRT}, followed by its issuer, then that issuer's issuer.`);
  }

  const keyCheck = checkKeyObject(key.publicKey);
  if (!keyCheck.ok) return problem(keyCheck.reason, `The certificate's key is not accepted. ${keyCheck.message} Request a new certificate with an accepted key.`);

  for (let i = 0; i + 1 < certs.length; i++) {
    const cert = certs[i];
    const next = certs[i + 1];
    if (cert === undefined || next === undefined) break;
    if (await issuedBy(cert, next)) continue;
    let issuerAt = -1;
    for (const [j, other] of certs.entries()) {
      if (j !== i + 1 && j !== i && (await issuedBy(cert, other))) {
        issuerAt = j;
        break;
      }
    }
    if (issuerAt >= 0) {
      return problem(UploadReason.ChainOutOfOrder, `${nth(i)} was issued by ${nth(issuerAt)}, not by the certificate after it: order ${CRT} leaf first, then each certificate's issuer.`);
    }
    return problem(UploadReason.ChainBroken, `${nth(i + 1)} did not issue ${nth(i)} (${named(facts[i] ?? first)}): remove certificates that are not part of this chain and add any missing intermediate.`);
  }

  const now = input.now.getTime();
  for (const [i, f] of facts.entries()) {
    const which = i === 0 ? `The certificate (${named(f)})` : `${nth(i)} (${named(f)}), an intermediate,`;
    if (f.notAfter.getTime() <= now) {
      const todo = i === 0
        ? 'upload a renewed certificate (uploaded certificates are not renewed by the operator, R-NOT-RENEWABLE)'
        : 'replace it with the current intermediate of your CA';
      return problem(UploadReason.Expired, `${which} expired at ${f.notAfter.toISOString()}: ${todo}.`);
    }
    if (f.notBefore.getTime() > now) {
      return problem(UploadReason.NotYetValid, `${which} is not valid before ${f.notBefore.toISOString()}: upload it after that time, or check the clock of the system that issued it.`);
    }
  }

  const warnings: string[] = [];
  const last = facts[facts.length - 1] ?? first;
  if (facts.length === 1 && !first.selfIssued) {
    warnings.push(`${CRT} holds only the leaf certificate: clients without its intermediate cannot verify it; append the intermediate after the leaf.`);
  }
  if (facts.length > 1 && last.selfIssued) {
    warnings.push(`${CRT} ends with a root certificate; clients ignore it and it can be left out.`);
  }
  if (certPem.blocks.some((b: PemBlock) => b.label.endsWith('PRIVATE KEY'))) {
    warnings.push(`${CRT} also holds a private key, which was ignored: keep the key only in ${KEY}.`);
  }

  return {
    ok: true,
    certificate: {
      leaf: first,
      chain: facts,
      chainPem: certBlocks.map((b) => encodePem(b.der, 'CERTIFICATE')).join(''),
      privateKeyPem: key.pkcs8Pem,
      renewable: false,
      warnings,
    },
  };
}
