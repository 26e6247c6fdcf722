// R-KEY: which keys the built-in CA accepts, key generation, and reading keys users hand us.
// Key analysis uses node:crypto KeyObjects (they read SPKI, PKCS#8, PKCS#1 and SEC1 and report
// modulus length and curve); signing uses WebCrypto. No message here ever quotes key bytes.
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { encodePem, type PemBlock } from './pem.ts';

export const ecdsaCurves = ['P-256', 'P-384'] as const;
export type EcdsaCurve = (typeof ecdsaCurves)[number];
export const rsaSizes = [2048, 3072, 4096] as const;
export type RsaSize = (typeof rsaSizes)[number];

/** A key the CA accepts for a leaf (R-KEY). */
export type KeySpec = { algorithm: 'ECDSA'; curve: EcdsaCurve } | { algorithm: 'RSA'; size: RsaSize };

export const KeyReason = {
  WeakKey: 'WeakKey',
  UnsupportedKey: 'UnsupportedKey',
} as const;
export type KeyReason = (typeof KeyReason)[keyof typeof KeyReason];

export type KeyCheck =
  | { ok: true; spec: KeySpec; description: string }
  | { ok: false; reason: KeyReason; message: string; description: string };

const allowed = 'use RSA 2048, 3072 or 4096, or ECDSA P-256 or P-384 (R-KEY)';

/** "ECDSA P-256", "RSA 2048": the form shown in status (`keyAlgorithm`). */
export function describeKeySpec(spec: KeySpec): string {
  return spec.algorithm === 'RSA' ? `RSA ${spec.size}` : `ECDSA ${spec.curve}`;
}

const curveNames: Readonly<Record<string, EcdsaCurve>> = { prime256v1: 'P-256', secp384r1: 'P-384' };
const otherCurveNames: Readonly<Record<string, string>> = { secp521r1: 'P-521', secp224r1: 'P-224', prime192v1: 'P-192' };
const weakCurves: ReadonlySet<string> = new Set(['secp224r1', 'prime192v1']);
const otherKeyTypeNames: Readonly<Record<string, string>> = {
  'rsa-pss': 'RSA-PSS', dsa: 'DSA', dh: 'DH', ed25519: 'Ed25519', ed448: 'Ed448', x25519: 'X25519', x448: 'X448',
};

/** R-KEY applied to a public key object. */
export function checkKeyObject(key: KeyObject): KeyCheck {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    const description = `RSA ${bits}`;
    const exponent = details.publicExponent ?? 0n;
    if (bits < 2048) {
      return { ok: false, reason: KeyReason.WeakKey, description, message: `The key is ${description}, which is too weak: ${allowed}.` };
    }
    if (exponent < 3n || exponent % 2n === 0n) {
      return { ok: false, reason: KeyReason.WeakKey, description, message: `The RSA key has an invalid public exponent: generate a new key (exponent 65537) and ${allowed}.` };
    }
    const size = rsaSizes.find((s) => s === bits);
    if (size === undefined) {
      return { ok: false, reason: KeyReason.UnsupportedKey, description, message: `The key is ${description}, which is not supported: ${allowed}.` };
    }
    return { ok: true, spec: { algorithm: 'RSA', size }, description };
  }
  if (type === 'ec') {
    const curveName = details.namedCurve ?? '';
    const curve = curveNames[curveName];
    if (curve !== undefined) return { ok: true, spec: { algorithm: 'ECDSA', curve }, description: `ECDSA ${curve}` };
    const description = `ECDSA ${otherCurveNames[curveName] ?? (curveName === '' ? 'with explicit curve parameters' : curveName)}`;
    if (weakCurves.has(curveName)) {
      return { ok: false, reason: KeyReason.WeakKey, description, message: `The key is ${description}, which is too weak: ${allowed}.` };
    }
    return { ok: false, reason: KeyReason.UnsupportedKey, description, message: `The key is ${description}, which is not supported: ${allowed}.` };
  }
  const description = type === undefined ? 'unknown' : (otherKeyTypeNames[type] ?? type);
  return { ok: false, reason: KeyReason.UnsupportedKey, description, message: `The key is ${description}, which is not supported: ${allowed}.` };
}

/** R-KEY applied to a DER SubjectPublicKeyInfo. Never throws. */
export function checkPublicKeyDer(spki: Uint8Array | ArrayBuffer): KeyCheck {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki instanceof Uint8Array ? spki : new Uint8Array(spki)), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, reason: KeyReason.UnsupportedKey, description: 'unreadable', message: `The public key cannot be read: ${allowed}.` };
  }
  return checkKeyObject(key);
}

/** Maps `spec.privateKey` of a Certificate ({algorithm: ECDSA, size: 256}) to a key spec. */
export function keySpecFor(algorithm: string, size: number): { ok: true; spec: KeySpec } | { ok: false; reason: KeyReason; message: string } {
  if (algorithm === 'ECDSA') {
    if (size === 256) return { ok: true, spec: { algorithm: 'ECDSA', curve: 'P-256' } };
    if (size === 384) return { ok: true, spec: { algorithm: 'ECDSA', curve: 'P-384' } };
  }
  if (algorithm === 'RSA') {
    const rsa = rsaSizes.find((s) => s === size);
    if (rsa !== undefined) return { ok: true, spec: { algorithm: 'RSA', size: rsa } };
    if (size < 2048) return { ok: false, reason: KeyReason.WeakKey, message: `RSA ${size} is too weak: ${allowed}.` };
  }
  return { ok: false, reason: KeyReason.UnsupportedKey, message: `${algorithm} ${size} is not supported: ${allowed}.` };
}

function webCryptoAlgorithm(spec: KeySpec): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return spec.algorithm === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.size, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: spec.curve };
}

export interface GeneratedKeyPair {
  spec: KeySpec;
  /** PKCS#8, "PRIVATE KEY": what goes into `tls.key`. */
  privateKeyPem: string;
  /** SPKI, "PUBLIC KEY": what an application to the CA carries. */
  publicKeyPem: string;
  keys: webcrypto.CryptoKeyPair;
}

/** A new key pair (R-KEY "system generated"). RSA generation takes a while (seconds for 4096). */
export async function generateKeyPair(spec: KeySpec): Promise<GeneratedKeyPair> {
  const keys = await webcrypto.subtle.generateKey(webCryptoAlgorithm(spec), true, ['sign', 'verify']);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { spec, keys, privateKeyPem: encodePem(pkcs8, 'PRIVATE KEY'), publicKeyPem: encodePem(spki, 'PUBLIC KEY') };
}

/** Imports a PKCS#8 key for signing with WebCrypto (the CA keys). */
export async function importSigningKey(pkcs8: Uint8Array, spec: KeySpec): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', pkcs8, webCryptoAlgorithm(spec), true, ['sign']);
}

export const PrivateKeyReason = {
  NoPrivateKey: 'NoPrivateKey',
  EncryptedPrivateKey: 'EncryptedPrivateKey',
  MalformedPrivateKey: 'MalformedPrivateKey',
} as const;
export type PrivateKeyReason = (typeof PrivateKeyReason)[keyof typeof PrivateKeyReason];

export type PrivateKeyRead =
  | { ok: true; privateKey: KeyObject; publicKey: KeyObject; pkcs8Pem: string }
  | { ok: false; reason: PrivateKeyReason; message: string };

const privateKeyTypes: Readonly<Record<string, 'pkcs8' | 'pkcs1' | 'sec1'>> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

/**
 * The one private key among `blocks` (PKCS#8, PKCS#1 or SEC1; an "EC PARAMETERS" block next to it is
 * ignored). `where` names the field in messages, e.g. "tls.key". Never throws; messages never quote
 * the key.
 */
export function readPrivateKey(blocks: readonly PemBlock[], where: string): PrivateKeyRead {
  const keyBlocks = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keyBlocks.length > 1) {
    return { ok: false, reason: PrivateKeyReason.MalformedPrivateKey, message: `${where} holds ${keyBlocks.length} private keys: keep only the key of the certificate.` };
  }
  const [block] = keyBlocks;
  if (block === undefined) {
    return { ok: false, reason: PrivateKeyReason.NoPrivateKey, message: `${where} holds no private key: put the PEM private key ("-----BEGIN PRIVATE KEY-----") of the certificate there.` };
  }
  const type = privateKeyTypes[block.label];
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.headers['Proc-Type']?.includes('ENCRYPTED') === true) {
    return { ok: false, reason: PrivateKeyReason.EncryptedPrivateKey, message: `The private key in ${where} is encrypted: store it unencrypted (e.g. \`openssl pkey -in key.pem -out plain-key.pem\`) and restrict access to the Secret instead.` };
  }
  if (type === undefined) {
    return { ok: false, reason: PrivateKeyReason.MalformedPrivateKey, message: `The private key in ${where} has the unsupported PEM label "${block.label}": use PKCS#8 ("PRIVATE KEY"), "RSA PRIVATE KEY" or "EC PRIVATE KEY".` };
  }
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type });
    const publicKey = createPublicKey(privateKey);
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    return { ok: true, privateKey, publicKey, pkcs8Pem: encodePem(pkcs8, 'PRIVATE KEY') };
  } catch {
    return { ok: false, reason: PrivateKeyReason.MalformedPrivateKey, message: `The private key in ${where} cannot be read: check that it is a complete, unencrypted PEM key.` };
  }
}

/** True when the SPKI in `spki` is the public half of `publicKey`. Never throws. */
export function samePublicKey(publicKey: KeyObject, spki: Uint8Array | ArrayBuffer): boolean {
  try {
    const other = createPublicKey({ key: Buffer.from(spki instanceof Uint8Array ? spki : new Uint8Array(spki)), format: 'der', type: 'spki' });
    return publicKey.equals(other);
  } catch {
    return false;
  }
}
