// Instants and durations of the domain layer: plain numbers of milliseconds since the Unix epoch.
// "Day" means exactly 86 400 s (spec, introduction); there is no calendar arithmetic except for
// R-FREE-QUOTA's calendar year, which is UTC.

export type Instant = number;
export type Duration = number;

export const SECOND: Duration = 1000;
export const MINUTE: Duration = 60 * SECOND;
export const HOUR: Duration = 60 * MINUTE;
export const DAY: Duration = 86_400 * SECOND;

export function days(n: number): Duration {
  return n * DAY;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Parses an RFC 3339 timestamp; null when it is not one. */
export function parseInstant(text: string): Instant | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** RFC 3339 in UTC with second precision, the form Kubernetes uses for metav1.Time. */
export function formatInstant(at: Instant): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The UTC calendar year an instant falls in (R-FREE-QUOTA). */
export function calendarYear(at: Instant): number {
  return new Date(at).getUTCFullYear();
}

/**
 * Parses a Go-style duration ("720h", "1h30m", "90s", "-5m"), the form the test clock's
 * `advance` takes (architecture section 5). Null when malformed.
 */
export function parseGoDuration(text: string): Duration | null {
  const m = /^([+-])?((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)$/.exec(text.trim());
  if (!m || m[2] === undefined) return null;
  const unit: Record<string, number> = { h: HOUR, m: MINUTE, s: SECOND, ms: 1 };
  let total = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const [, value, u] = part;
    if (value === undefined || u === undefined) return null;
    total += Number(value) * (unit[u] ?? 0);
  }
  return m[1] === '-' ? -total : total;
}
