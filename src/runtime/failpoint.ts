// Failpoints for the crash tests (issue: "the operator killed between any two steps"): when the
// environment variable CERTHOST_FAILPOINTS names a point (comma-separated), the process kills itself
// there with SIGKILL, exactly as an OOM kill or a node loss would. Unset in production: a no-op.
const armed = new Set((process.env.CERTHOST_FAILPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

export function failpoint(name: string): void {
  if (armed.size > 0 && armed.has(name)) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'failpoint hit: SIGKILL', failpoint: name })}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
