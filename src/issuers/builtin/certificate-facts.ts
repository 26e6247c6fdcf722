// The facts about one certificate that status shows (`status.current`) and checks rely on.
import { createHash } from 'node:crypto';
import { x509 } from './x509.ts';
import { checkPublicKeyDer } from './keys.ts';

export interface CertificateFacts {
  /** Lowercase hex of the serial number, without a sign-padding zero byte. */
  serialNumber: string;
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprintSHA256: string;
  notBefore: Date;
  notAfter: Date;
  subjectCommonName: string | null;
  /** dNSName entries of subjectAltName, in certificate order. */
  dnsNames: string[];
  issuerCommonName: string | null;
  /** "ECDSA P-256", "RSA 2048", or a description of a key the CA would not accept ("RSA 1024"). */
  keyAlgorithm: string;
  isCA: boolean;
  /** Subject and issuer names are equal (a root or a self-signed leaf). */
  selfIssued: boolean;
}

/** The first CN of a name, or null. */
function commonName(name: x509.Name): string | null {
  try {
    return name.getField('CN')[0] ?? null;
  } catch {
    return null;
  }
}

/** dNSName entries; a SAN the library cannot decode (exotic GeneralName forms) yields none. */
function dnsNamesOf(cert: x509.X509Certificate): string[] {
  try {
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    if (san === null) return [];
    return san.names.items.filter((n) => n.type === 'dns').map((n) => n.value);
  } catch {
    return [];
  }
}

function isCA(cert: x509.X509Certificate): boolean {
  try {
    return cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false;
  } catch {
    return false;
  }
}

/** Facts of a parsed certificate. Throws only on a certificate whose basic fields cannot be read. */
export function certificateFacts(cert: x509.X509Certificate): CertificateFacts {
  const raw = new Uint8Array(cert.rawData);
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprintSHA256: createHash('sha256').update(raw).digest('hex'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    subjectCommonName: commonName(cert.subjectName),
    dnsNames: dnsNamesOf(cert),
    issuerCommonName: commonName(cert.issuerName),
    keyAlgorithm: checkPublicKeyDer(cert.publicKey.rawData).description,
    isCA: isCA(cert),
    selfIssued: Buffer.from(cert.subjectName.toArrayBuffer()).equals(Buffer.from(cert.issuerName.toArrayBuffer())),
  };
}
