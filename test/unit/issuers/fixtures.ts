// Shared test material, made at test time and never committed. RSA key generation is slow, so the
// few RSA keys are made once per process and shared between files.
import type { webcrypto } from 'node:crypto';
import { generateKeyPair, type GeneratedKeyPair } from '../../../src/issuers/builtin/keys.ts';
import { encodePem } from '../../../src/issuers/builtin/pem.ts';
import { createCaHierarchy, type CaHierarchy } from '../../../src/issuers/builtin/ca-hierarchy.ts';

export const DAY_MS = 86_400_000;
/** The fixed "now" of these tests (the spec's worked examples use this date). */
export const now = new Date('2025-08-15T00:00:00Z');

export function daysAfter(base: Date, days: number): Date {
  return new Date(base.getTime() + days * DAY_MS);
}

let rsa2048: Promise<GeneratedKeyPair> | undefined;
let rsa1024: Promise<CryptoKeyPairPem> | undefined;
let hierarchy: Promise<CaHierarchy> | undefined;

export function rsa2048Key(): Promise<GeneratedKeyPair> {
  rsa2048 ??= generateKeyPair({ algorithm: 'RSA', size: 2048 });
  return rsa2048;
}

export interface CryptoKeyPairPem {
  keys: webcrypto.CryptoKeyPair;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A weak key (R-KEY rejects it); generated with WebCrypto directly since keys.ts refuses to. */
export function rsa1024Key(): Promise<CryptoKeyPairPem> {
  rsa1024 ??= (async () => {
    const keys = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    return {
      keys,
      privateKeyPem: encodePem(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
      publicKeyPem: encodePem(await crypto.subtle.exportKey('spki', keys.publicKey), 'PUBLIC KEY'),
    };
  })();
  return rsa1024;
}

/** Root + intermediates for "DigiCert" and "GeoTrust", valid from `now`. */
export function sharedHierarchy(): Promise<CaHierarchy> {
  hierarchy ??= createCaHierarchy({ now, brands: ['DigiCert', 'GeoTrust'] });
  return hierarchy;
}
