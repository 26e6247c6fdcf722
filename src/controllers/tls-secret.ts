// The certificate's own Secret: `kubernetes.io/tls` with tls.crt (leaf + intermediates), tls.key and
// ca.crt, labelled so the operator watches it (architecture section 3) and annotated with serial,
// notAfter and revision. Reading one back tells whether it still holds what status says.
import { createPublicKey } from 'node:crypto';
import { Annotation, Label, managedByValue } from '../api/labels.ts';
import { decodePem } from '../issuers/builtin/pem.ts';
import { readPrivateKey } from '../issuers/builtin/keys.ts';
import { certificateFacts, type CertificateFacts } from '../issuers/builtin/certificate-facts.ts';
import { x509 } from '../issuers/builtin/x509.ts';

export interface SecretObject {
  apiVersion?: string;
  kind?: string;
  type?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  data?: Record<string, string>;
}

export interface TlsSecretContent {
  chainPem: string;
  caPem: string;
  /** Absent for a certificate issued from a manual CSR (R-CSR-NO-DEPLOY): the operator has no key. */
  privateKeyPem?: string;
  serialNumber: string;
  notAfter: string;
  revision: number;
}

export interface SecretOwner {
  name: string;
  namespace: string;
  uid: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

export function buildTlsSecret(owner: SecretOwner, secretName: string, c: TlsSecretContent): SecretObject {
  const data: Record<string, string> = { 'tls.crt': b64(c.chainPem), 'ca.crt': b64(c.caPem) };
  if (c.privateKeyPem !== undefined) data['tls.key'] = b64(c.privateKeyPem);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    // A kubernetes.io/tls Secret must carry a key; a CSR-issued certificate has none, so it is Opaque.
    type: c.privateKeyPem === undefined ? 'Opaque' : 'kubernetes.io/tls',
    metadata: {
      name: secretName,
      namespace: owner.namespace,
      labels: {
        [Label.managedBy]: managedByValue,
        [Label.certificate]: owner.name,
        [Label.serial]: c.serialNumber,
        [Label.revision]: String(c.revision),
      },
      // No owner reference: R-DELETE keeps the issued Secret when its Certificate is deleted (a garbage
      // collector would remove it with the owner), as cert-manager does by default.
      annotations: { [Annotation.notAfter]: c.notAfter, 'certhost.io/certificate-uid': owner.uid },
    },
    data,
  };
}

/**
 * Whose Secret is it? Ours when labelled as managed by us for a Certificate of this name; a Secret kept
 * from a deleted Certificate of the same name (R-DELETE) is taken over by the new one.
 */
export function secretOwnership(s: SecretObject, owner: SecretOwner): { state: 'ours' } | { state: 'foreign'; owner: string } {
  const labels = s.metadata.labels ?? {};
  if (labels[Label.managedBy] !== managedByValue) return { state: 'foreign', owner: 'another tool or a person (no certhost label)' };
  if (labels[Label.deploymentTarget]) return { state: 'foreign', owner: `DeploymentTarget ${labels[Label.deploymentTarget]}` };
  if (labels[Label.certificate] !== owner.name) return { state: 'foreign', owner: `Certificate ${labels[Label.certificate] ?? '?'}` };
  return { state: 'ours' };
}

export interface ReadTlsSecret {
  revision: number;
  serial: string;
  /** The certificate parses, its serial is the labelled one, its names are the domains, and the key (if any) matches. */
  usable: boolean;
  leaf?: CertificateFacts;
  chainPem: string;
  caPem: string;
  privateKeyPem?: string;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

export function readTlsSecret(s: SecretObject, domains: readonly string[]): ReadTlsSecret {
  const labels = s.metadata.labels ?? {};
  const revision = Number.parseInt(labels[Label.revision] ?? '0', 10) || 0;
  const serial = labels[Label.serial] ?? '';
  const chainPem = unb64(s.data?.['tls.crt']);
  const caPem = unb64(s.data?.['ca.crt']);
  const keyPem = s.data?.['tls.key'] === undefined ? undefined : unb64(s.data['tls.key']);
  const base: ReadTlsSecret = { revision, serial, usable: false, chainPem, caPem, ...(keyPem === undefined ? {} : { privateKeyPem: keyPem }) };
  const pem = decodePem(chainPem);
  if (!pem.ok) return base;
  const leafBlock = pem.blocks.find((b) => b.label === 'CERTIFICATE');
  if (!leafBlock) return base;
  let leaf: CertificateFacts;
  let spki: ArrayBuffer;
  try {
    const cert = new x509.X509Certificate(leafBlock.der);
    leaf = certificateFacts(cert);
    spki = cert.publicKey.rawData;
  } catch {
    return base;
  }
  let keyOk = true;
  if (keyPem !== undefined && keyPem !== '') {
    const keyBlocks = decodePem(keyPem);
    const key = keyBlocks.ok ? readPrivateKey(keyBlocks.blocks, 'tls.key') : null;
    keyOk = key !== null && key.ok && key.publicKey.equals(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
  }
  const usable = keyOk && leaf.serialNumber === serial && sameNames(leaf.dnsNames, domains);
  return { ...base, usable, leaf };
}
