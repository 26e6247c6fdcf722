// Conditions the Kubernetes way (conventions: "one helper sets them; nothing else writes conditions"):
// lastTransitionTime changes only when status flips.
import { type Condition, ConditionType, Reason } from '../api/conditions.ts';
import type { CertificateState } from '../api/states.ts';
import { type Instant, formatInstant } from './time.ts';

export type DesiredCondition = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

/** Sets one condition, keeping lastTransitionTime when the status did not change. Returns a new list. */
export function setCondition(existing: readonly Condition[], desired: DesiredCondition, generation: number, now: Instant): Condition[] {
  const old = existing.find((c) => c.type === desired.type);
  const lastTransitionTime = old && old.status === desired.status ? old.lastTransitionTime : formatInstant(now);
  const next: Condition = { ...desired, observedGeneration: generation, lastTransitionTime };
  return old ? existing.map((c) => (c.type === desired.type ? next : c)) : [...existing, next];
}

export function setConditions(existing: readonly Condition[], desired: readonly DesiredCondition[], generation: number, now: Instant): Condition[] {
  return desired.reduce<Condition[]>((acc, d) => setCondition(acc, d, generation, now), [...existing]);
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

const serving: readonly CertificateState[] = ['Issued', 'ExpiringSoon', 'Hosted', 'AutoDeploy', 'Uploaded'];

/** Ready (for kubectl wait, Argo CD and Flux): a certificate that can be served. */
export function readyCondition(state: CertificateState, detail?: string): DesiredCondition {
  const ok = serving.includes(state);
  return {
    type: ConditionType.Ready,
    status: ok ? 'True' : 'False',
    reason: state,
    message: detail ?? (ok ? `The certificate is ${state} and can be served.` : `The certificate is ${state}.`),
  };
}

export function inWindowCondition(inWindow: boolean, opensAt: Instant | null): DesiredCondition {
  return inWindow
    ? { type: ConditionType.InRenewalWindow, status: 'True', reason: Reason.InWindow, message: 'The certificate is in its renewal window (R-WINDOW).' }
    : {
      type: ConditionType.InRenewalWindow, status: 'False', reason: Reason.NotInWindow,
      message: opensAt === null ? 'No certificate is issued yet.' : `The renewal window opens at ${formatInstant(opensAt)}.`,
    };
}

export function hostedCondition(hosted: boolean, servicePeriodEnd: Instant | null, hostingEnabled = false): DesiredCondition {
  if (hosted) {
    return { type: ConditionType.Hosted, status: 'True', reason: Reason.HostingEnabled, message: `Renewed automatically until ${servicePeriodEnd === null ? 'the service period ends' : formatInstant(servicePeriodEnd)}.` };
  }
  if (hostingEnabled) {
    return { type: ConditionType.Hosted, status: 'False', reason: Reason.ServicePeriodEnded, message: 'The last year of the service period is in use: no successor follows this certificate. Raise spec.hosting.servicePeriodYears to extend hosting.' };
  }
  return { type: ConditionType.Hosted, status: 'False', reason: Reason.HostingDisabled, message: 'The certificate is not renewed automatically; enable spec.hosting with a service period beyond the current certificate to host it.' };
}
