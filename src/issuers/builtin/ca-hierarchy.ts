// The built-in CA: one root and, per brand, one or more intermediates (architecture section 4).
// The hierarchy is immutable data: adding an intermediate returns a new hierarchy, which the operator
// stores back into its Secret with serializeCaHierarchy.
import { createPrivateKey, createPublicKey, type webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';
import { decodePem, encodePem } from './pem.ts';
import { checkPublicKeyDer, generateKeyPair, importSigningKey, type EcdsaCurve } from './keys.ts';
import { randomSerialNumberHex } from './serial-number.ts';

const DAY_SECONDS = 86_400;
export const defaultRootValiditySeconds = 3650 * DAY_SECONDS;
export const defaultIntermediateValiditySeconds = 1825 * DAY_SECONDS;

export interface CaCertificate {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Extractable ECDSA signing key. */
  readonly privateKey: webcrypto.CryptoKey;
  /** PKCS#8 PEM of `privateKey`, kept so serialization needs no async export. */
  readonly privateKeyPem: string;
  readonly curve: EcdsaCurve;
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex SubjectKeyIdentifier, copied into the AuthorityKeyIdentifier of what this CA signs. */
  readonly keyIdentifier: string;
}

export interface IntermediateCa extends CaCertificate {
  readonly brand: string;
  /** 1 for the first intermediate of a brand, +1 for each added one (R-CAP rotation). */
  readonly generation: number;
}

export interface CaHierarchy {
  readonly root: CaCertificate;
  readonly intermediates: readonly IntermediateCa[];
}

export interface CreateCaHierarchyOptions {
  now: Date;
  brands: readonly string[];
  /** CA key curve; leaves are signed with SHA-256 under P-256 and SHA-384 under P-384. Default P-256. */
  curve?: EcdsaCurve;
  rootValiditySeconds?: number;
  intermediateValiditySeconds?: number;
}

export interface AddIntermediateOptions {
  now: Date;
  curve?: EcdsaCurve;
  /** Cut to the root's notAfter. */
  validitySeconds?: number;
}

/** The signature hash that goes with a CA key (CA/B Forum BR 7.1.3.2.2 pairs P-384 with SHA-384). */
export function signatureHashFor(curve: EcdsaCurve): 'SHA-256' | 'SHA-384' {
  return curve === 'P-384' ? 'SHA-384' : 'SHA-256';
}

function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

function addSeconds(at: Date, seconds: number): Date {
  return new Date(at.getTime() + seconds * 1000);
}

/** X.520 upper bound for a CN. */
function cn(text: string): string {
  return text.length <= 64 ? text : text.slice(0, 64);
}

function checkValidity(seconds: number, what: string): void {
  if (!Number.isFinite(seconds) || seconds < DAY_SECONDS) throw new RangeError(`${what} must be at least one day, got ${seconds} s`);
}

function checkBrand(brand: string): void {
  if (brand.length === 0 || brand.length > 64) throw new RangeError('a brand name must have 1 to 64 characters');
}

async function keyIdentifierOf(cert: x509.X509Certificate): Promise<string> {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return ski.keyId;
  return Buffer.from(await cert.publicKey.getKeyIdentifier()).toString('hex');
}

async function makeCaCertificate(certificate: x509.X509Certificate, privateKey: webcrypto.CryptoKey, privateKeyPem: string, curve: EcdsaCurve, commonName: string): Promise<CaCertificate> {
  return {
    certificate,
    certificatePem: encodePem(certificate.rawData, 'CERTIFICATE'),
    privateKey,
    privateKeyPem,
    curve,
    commonName,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    keyIdentifier: await keyIdentifierOf(certificate),
  };
}

async function createRoot(now: Date, curve: EcdsaCurve, validitySeconds: number): Promise<CaCertificate> {
  checkValidity(validitySeconds, 'root validity');
  const keys = await generateKeyPair({ algorithm: 'ECDSA', curve });
  const serialNumber = randomSerialNumberHex();
  // The serial in the name keeps roots of different installations apart in trust stores.
  const commonName = `certhost Root CA ${serialNumber.slice(0, 8)}`;
  const notBefore = wholeSeconds(now);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.keys.publicKey);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: [{ CN: [commonName] }, { O: ['certhost'] }],
    notBefore,
    notAfter: addSeconds(notBefore, validitySeconds),
    keys: keys.keys,
    signingAlgorithm: { name: 'ECDSA', hash: signatureHashFor(curve) } satisfies webcrypto.EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ski,
    ],
  });
  return makeCaCertificate(certificate, keys.keys.privateKey, keys.privateKeyPem, curve, commonName);
}

async function createIntermediate(root: CaCertificate, brand: string, generation: number, options: AddIntermediateOptions): Promise<IntermediateCa> {
  checkBrand(brand);
  const curve = options.curve ?? root.curve;
  const validitySeconds = options.validitySeconds ?? defaultIntermediateValiditySeconds;
  checkValidity(validitySeconds, 'intermediate validity');
  const notBefore = wholeSeconds(options.now);
  if (notBefore.getTime() < root.notBefore.getTime() || notBefore.getTime() >= root.notAfter.getTime()) {
    // The root itself must be replaced; this hierarchy cannot sign anything valid at `now`.
    throw new RangeError(`the root CA is not valid at ${notBefore.toISOString()} (valid ${root.notBefore.toISOString()} to ${root.notAfter.toISOString()})`);
  }
  const notAfter = new Date(Math.min(addSeconds(notBefore, validitySeconds).getTime(), root.notAfter.getTime()));
  const keys = await generateKeyPair({ algorithm: 'ECDSA', curve });
  const commonName = cn(`certhost ${brand} CA G${generation}`);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumberHex(),
    subject: [{ CN: [commonName] }, { O: ['certhost'] }],
    issuer: root.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.keys.publicKey,
    signingKey: root.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: signatureHashFor(root.curve) } satisfies webcrypto.EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.keys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(root.keyIdentifier),
    ],
  });
  const ca = await makeCaCertificate(certificate, keys.keys.privateKey, keys.privateKeyPem, curve, commonName);
  return { ...ca, brand, generation };
}

/** A new root and one intermediate per brand, all valid from `now`. */
export async function createCaHierarchy(options: CreateCaHierarchyOptions): Promise<CaHierarchy> {
  const curve = options.curve ?? 'P-256';
  const root = await createRoot(options.now, curve, options.rootValiditySeconds ?? defaultRootValiditySeconds);
  let hierarchy: CaHierarchy = { root, intermediates: [] };
  for (const brand of new Set(options.brands)) {
    const add: AddIntermediateOptions = { now: options.now, curve };
    if (options.intermediateValiditySeconds !== undefined) add.validitySeconds = options.intermediateValiditySeconds;
    hierarchy = await addIntermediate(hierarchy, brand, add);
  }
  return hierarchy;
}

/**
 * Adds a new intermediate for `brand` (a new brand, or a rotation). Older intermediates stay: leaves
 * they signed are still valid. R-CAP: once the new one covers a truncated certificate's full period,
 * selectIntermediate picks it and the certificate can be re-issued.
 */
export async function addIntermediate(hierarchy: CaHierarchy, brand: string, options: AddIntermediateOptions): Promise<CaHierarchy> {
  const generation = Math.max(0, ...intermediatesOf(hierarchy, brand).map((i) => i.generation)) + 1;
  const intermediate = await createIntermediate(hierarchy.root, brand, generation, options);
  return { root: hierarchy.root, intermediates: [...hierarchy.intermediates, intermediate] };
}

/** Intermediates of a brand, oldest generation first. */
export function intermediatesOf(hierarchy: CaHierarchy, brand: string): IntermediateCa[] {
  return hierarchy.intermediates.filter((i) => i.brand === brand).sort((a, b) => a.generation - b.generation);
}

/** Drops intermediates that expired at or before `now`; they can sign nothing any more. */
export function pruneExpiredIntermediates(hierarchy: CaHierarchy, now: Date): CaHierarchy {
  return { root: hierarchy.root, intermediates: hierarchy.intermediates.filter((i) => i.notAfter.getTime() > now.getTime()) };
}

export type IntermediateChoice =
  | { ok: true; intermediate: IntermediateCa; coversFullPeriod: boolean }
  | { ok: false; reason: 'NoIntermediate'; message: string };

/**
 * R-CAP: the intermediate of `brand` to sign a leaf valid from `notBefore` to `notAfter`: among those
 * valid at `notBefore`, the one that expires last (the newest generation on a tie).
 */
export function selectIntermediate(hierarchy: CaHierarchy, brand: string, notBefore: Date, notAfter: Date): IntermediateChoice {
  const ofBrand = intermediatesOf(hierarchy, brand);
  if (ofBrand.length === 0) {
    return { ok: false, reason: 'NoIntermediate', message: `The built-in CA has no intermediate CA for brand "${cn(brand)}": add the brand to the operator's issuer configuration.` };
  }
  let best: IntermediateCa | null = null;
  for (const candidate of ofBrand) {
    if (candidate.notBefore.getTime() > notBefore.getTime() || candidate.notAfter.getTime() <= notBefore.getTime()) continue;
    if (best === null || candidate.notAfter.getTime() >= best.notAfter.getTime()) best = candidate;
  }
  if (best === null) {
    return { ok: false, reason: 'NoIntermediate', message: `No intermediate CA for brand "${cn(brand)}" is valid at ${notBefore.toISOString()}: the built-in CA needs a new intermediate.` };
  }
  return { ok: true, intermediate: best, coversFullPeriod: best.notAfter.getTime() >= notAfter.getTime() };
}

/**
 * True when no intermediate of `brand` valid at `now` lasts until `now + horizonSeconds`; with the
 * horizon at the profile's maximum validity, rotating then keeps new leaves from being cut (R-CAP).
 */
export function needsNewIntermediate(hierarchy: CaHierarchy, brand: string, now: Date, horizonSeconds: number): boolean {
  const choice = selectIntermediate(hierarchy, brand, now, addSeconds(now, horizonSeconds));
  return !choice.ok || !choice.coversFullPeriod;
}

// --- Secret storage -------------------------------------------------------------------------------

export const caSecretFormat = 'certhost.io/builtin-ca/v1';
const FORMAT_KEY = 'format';
const INTERMEDIATE_KEY = /^intermediate\.([A-Za-z0-9_-]+)\.([1-9][0-9]{0,5})\.(crt|key)$/;

/** Secret data keys allow [-._a-zA-Z0-9]: brand characters outside [-a-zA-Z0-9] become _xx per UTF-8 byte. */
function encodeBrand(brand: string): string {
  let out = '';
  for (const byte of Buffer.from(brand, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9-]$/.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function decodeBrand(encoded: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded[i] ?? '';
    if (ch !== '_') {
      bytes.push(ch.charCodeAt(0));
      continue;
    }
    const hex = encoded.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return null;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The whole hierarchy as Secret data: `format`, `root.crt`, `root.key`, and
 * `intermediate.<brand>.<generation>.crt|key` (certificates PEM, keys PKCS#8 PEM).
 */
export function serializeCaHierarchy(hierarchy: CaHierarchy): Record<string, string> {
  const data: Record<string, string> = {
    [FORMAT_KEY]: caSecretFormat,
    'root.crt': hierarchy.root.certificatePem,
    'root.key': hierarchy.root.privateKeyPem,
  };
  for (const i of hierarchy.intermediates) {
    const base = `intermediate.${encodeBrand(i.brand)}.${i.generation}`;
    data[`${base}.crt`] = i.certificatePem;
    data[`${base}.key`] = i.privateKeyPem;
  }
  return data;
}

export type CaHierarchyRead = { ok: true; hierarchy: CaHierarchy } | { ok: false; reason: 'InvalidCaSecret'; message: string };

type Loaded = { ok: true; ca: CaCertificate } | { ok: false; message: string };

async function loadCa(data: Readonly<Record<string, string>>, base: string): Promise<Loaded> {
  const certText = data[`${base}.crt`];
  const keyText = data[`${base}.key`];
  if (certText === undefined || keyText === undefined) return { ok: false, message: `${base}.crt and ${base}.key must both be present` };
  const certPem = decodePem(certText);
  const keyPem = decodePem(keyText);
  const certBlock = certPem.ok ? certPem.blocks.find((b) => b.label === 'CERTIFICATE') : undefined;
  const keyBlock = keyPem.ok ? keyPem.blocks.find((b) => b.label === 'PRIVATE KEY') : undefined;
  if (certBlock === undefined) return { ok: false, message: `${base}.crt holds no PEM certificate` };
  if (keyBlock === undefined) return { ok: false, message: `${base}.key holds no PKCS#8 PEM private key` };
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(certBlock.der);
  } catch {
    return { ok: false, message: `${base}.crt cannot be parsed` };
  }
  const keyCheck = checkPublicKeyDer(certificate.publicKey.rawData);
  if (!keyCheck.ok || keyCheck.spec.algorithm !== 'ECDSA') return { ok: false, message: `${base}.crt does not hold an ECDSA P-256 or P-384 key` };
  try {
    const publicKey = createPublicKey(createPrivateKey({ key: Buffer.from(keyBlock.der), format: 'der', type: 'pkcs8' }));
    const certKey = createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' });
    if (!publicKey.equals(certKey)) return { ok: false, message: `${base}.key is not the key of ${base}.crt` };
    const privateKey = await importSigningKey(keyBlock.der, keyCheck.spec);
    const commonName = certificate.subjectName.getField('CN')[0] ?? '';
    return { ok: true, ca: await makeCaCertificate(certificate, privateKey, encodePem(keyBlock.der, 'PRIVATE KEY'), keyCheck.spec.curve, commonName) };
  } catch {
    return { ok: false, message: `${base}.key cannot be read` };
  }
}

async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Reads what serializeCaHierarchy wrote, checking that keys match and intermediates chain to the root. */
export async function deserializeCaHierarchy(data: Readonly<Record<string, string>>): Promise<CaHierarchyRead> {
  const bad = (problem: string): CaHierarchyRead => ({
    ok: false,
    reason: 'InvalidCaSecret',
    message: `The built-in CA Secret is invalid (${problem}): restore it from a backup, or delete it to let the operator create a new CA (certificates issued by the old CA stay valid but chain to the old root).`,
  });
  if (data[FORMAT_KEY] !== caSecretFormat) return bad(`key "${FORMAT_KEY}" must be "${caSecretFormat}"`);
  const root = await loadCa(data, 'root');
  if (!root.ok) return bad(root.message);
  if (!(await signedBy(root.ca.certificate, root.ca.certificate))) return bad('root.crt is not self-signed');
  const intermediates: IntermediateCa[] = [];
  for (const key of Object.keys(data).sort()) {
    if (key === FORMAT_KEY || key === 'root.crt' || key === 'root.key') continue;
    const m = INTERMEDIATE_KEY.exec(key);
    if (m === null || m[1] === undefined || m[2] === undefined) return bad(`unexpected key "${key.slice(0, 100)}"`);
    if (m[3] === 'key') continue;
    const brand = decodeBrand(m[1]);
    if (brand === null || encodeBrand(brand) !== m[1]) return bad(`key "${key}" has a malformed brand`);
    const base = `intermediate.${m[1]}.${m[2]}`;
    const loaded = await loadCa(data, base);
    if (!loaded.ok) return bad(loaded.message);
    if (!(await signedBy(loaded.ca.certificate, root.ca.certificate))) return bad(`${base}.crt is not signed by root.crt`);
    intermediates.push({ ...loaded.ca, brand, generation: Number(m[2]) });
  }
  // A key without its certificate is caught here (loadCa ran only for .crt entries).
  for (const key of Object.keys(data)) {
    const m = INTERMEDIATE_KEY.exec(key);
    if (m?.[3] === 'key' && data[key.replace(/\.key$/, '.crt')] === undefined) return bad(`${key} has no certificate`);
  }
  return { ok: true, hierarchy: { root: root.ca, intermediates } };
}
