import { webcrypto } from 'node:crypto';

/**
 * A random positive 128-bit serial number as hex. The CA/Browser Forum asks for at least 64 random
 * bits; the DER INTEGER gets a leading zero byte when the top bit is set (17 octets, below the
 * RFC 5280 limit of 20), so the value stays positive without losing a random bit.
 */
export function randomSerialNumberHex(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // An all-zero draw would make the library pick its own serial; 2^-128, but cheap to rule out.
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return Buffer.from(bytes).toString('hex');
}
