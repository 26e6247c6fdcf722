// R-NOTIFY: a reminder as a JSON POST to the webhook whose URL is kept in a Secret (a URL may carry a
// token). A timeout or an error is a value for an Event; the reminder itself counts as sent.
import type { Certificate } from '../api/certificate-types.ts';
import type { SecretKeySelector } from '../api/meta-types.ts';
import { type KubeClient, resourcePath } from '../runtime/kube-client.ts';
import type { SecretObject } from './tls-secret.ts';

export interface ReminderPayload {
  certificate: string;
  namespace: string;
  revision: number;
  serialNumber: string;
  notAfter: string;
  daysBefore: number;
  domains: readonly string[];
}

export async function sendReminderWebhook(client: KubeClient, cert: Certificate, ref: SecretKeySelector, payload: ReminderPayload, timeoutMs: number): Promise<{ ok: true } | { ok: false; message: string }> {
  const secret = await client.get<SecretObject>(resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: cert.metadata.namespace ?? '', name: ref.name }));
  const raw = secret?.data?.[ref.key];
  if (!raw) return { ok: false, message: `The webhook URL Secret ${ref.name} (key ${ref.key}) was not found; the reminder was recorded as an Event only.` };
  const url = Buffer.from(raw, 'base64').toString('utf8').trim();
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, message: `The webhook URL in Secret ${ref.name} is not a valid URL; the reminder was recorded as an Event only.` };
  }
  try {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'certhost.expiry-reminder', ...payload }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status >= 300) return { ok: false, message: `The reminder webhook answered HTTP ${res.status}; the reminder was recorded as an Event only.` };
    return { ok: true };
  } catch (e) {
    const why = e instanceof Error && e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'could not be reached';
    return { ok: false, message: `The reminder webhook ${why}; the reminder was recorded as an Event only.` };
  }
}
