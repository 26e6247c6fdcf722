// R-VERIFY: a TLS handshake with SNI against the address a target serves on; which certificate does it
// present for a domain? Certificates are not validated here (a private CA, a test listener): only the
// serial number is compared with the one that was rolled out.
import { connect } from 'node:tls';

export type ProbeResult = { ok: true; serial: string } | { ok: false; message: string };

/** A concrete name for SNI: a wildcard is probed with a label of our own. */
export function sniName(domain: string): string {
  return domain.startsWith('*.') ? `certhost-verify.${domain.slice(2)}` : domain;
}

export function probeServedSerial(address: string, port: number, domain: string, timeoutMs = 3000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, servername: sniName(domain), rejectUnauthorized: false, timeout: timeoutMs });
    const done = (r: ProbeResult): void => {
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const serial = (cert.serialNumber ?? '').toLowerCase().replace(/^0+/, '');
      done(serial ? { ok: true, serial } : { ok: false, message: `${address}:${port} presented no certificate for ${domain}.` });
    });
    socket.once('timeout', () => done({ ok: false, message: `${address}:${port} did not complete a TLS handshake for ${domain} in ${timeoutMs} ms.` }));
    socket.once('error', (e) => done({ ok: false, message: `TLS handshake with ${address}:${port} for ${domain} failed: ${e.message}.` }));
  });
}

/** Serials compare without leading zeros (Node prints them unpadded, our status keeps the DER hex). */
export function sameSerial(a: string, b: string): boolean {
  return a.toLowerCase().replace(/^0+/, '') === b.toLowerCase().replace(/^0+/, '');
}
