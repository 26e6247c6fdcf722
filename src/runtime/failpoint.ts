// Failpoints for the crash tests (issue: "the operator killed between any two steps"): when the
// environment variable CERTHOST_FAILPOINTS names a point (comma-separated, optionally `name@N` for the
// N-th time it is reached), the process kills itself there with SIGKILL, exactly as an OOM kill or a
// node loss would. Unset in production: a no-op.
const armed = new Map<string, number>();
for (const spec of (process.env.CERTHOST_FAILPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
  const [name, nth] = spec.split('@');
  armed.set(name ?? spec, Math.max(1, Number(nth ?? '1') || 1));
}

export function failpoint(name: string): void {
  if (armed.size === 0) return;
  const left = armed.get(name);
  if (left === undefined) return;
  if (left > 1) {
    armed.set(name, left - 1);
    return;
  }
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'failpoint hit: SIGKILL', failpoint: name })}\n`);
  process.kill(process.pid, 'SIGKILL');
}
