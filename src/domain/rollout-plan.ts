// Spec section 5 and R-DEPLOY-CREDITS for one certificate: which serial each (target, domain) should
// serve, what a rollout costs, and what the certificate's status says about it. The Certificate
// reconciler decides here (it owns the certificate's credits); the DeploymentTarget reconciler carries
// the decision out and reports back through the target's status.
import { coveringName } from './domain-names.ts';
import type { DeploymentUnit } from './deployment-credits.ts';
import { autoDeployStatus, type AutoDeployStatus } from './deployment-credits.ts';

export type TargetKind = 'Secret' | 'Ingress' | 'SLB' | 'CDN' | 'WAF';
export type UnitState = 'Pending' | 'Deploying' | 'Verifying' | 'Deployed' | 'Failed' | 'Skipped';

export interface TargetFacts {
  name: string;
  type: TargetKind;
  /** CDN/WAF: the domains configured on the product (R-TARGET-CDN). */
  domains: readonly string[];
  /** A Secret target that copies the certificate only (no key): allowed for a CSR certificate. */
  certificateOnly: boolean;
}

/** What the target reported for one unit (from DeploymentTarget.status.deployments). */
export interface ObservedUnit {
  serialNumber: string;
  state: UnitState;
  message?: string;
}

/** One entry of Certificate.status.deployments: the serial authorised for a unit and how it stands. */
export interface UnitRecord extends DeploymentUnit {
  serialNumber: string;
  state: UnitState;
  message?: string;
}

export interface RolloutInput {
  source: 'Issue' | 'Upload';
  /** The certificate's names (R-WILDCARD coverage decides which target domains it can serve). */
  names: readonly string[];
  /** Serial in the certificate's Secret now. */
  currentSerial: string;
  /** The current certificate came from a hosted renewal (R-AUTODEPLOY-PRE applies to it). */
  hostedRenewal: boolean;
  /**
   * Serials of earlier certificates of the current revision: re-issues (repair, R-CAP) and rollovers
   * within a service year (R-PROFILE). A target serving one of them gets the current certificate by
   * itself and at no charge: it is the same purchase the user deployed, and the old one may run out.
   */
  sameRevisionSerials: readonly string[];
  /** A manual CSR: the operator has no key (R-CSR-NO-DEPLOY). */
  keyless: boolean;
  autoDeployRequested: boolean;
  hosted: boolean;
  /** A new value of certhost.io/deploy: deploy the current certificate by hand. */
  deployRequested: boolean;
  grantRemaining: number;
  packageAvailable: number;
  targets: readonly TargetFacts[];
  /** Targets named in spec.targets that do not exist. */
  missingTargets: readonly string[];
  records: readonly UnitRecord[];
  observed: (unit: DeploymentUnit) => ObservedUnit | undefined;
}

export interface RolloutPlan {
  records: UnitRecord[];
  /** Units newly authorised in this pass that cost a deployment credit (R-DEPLOY-CREDITS). */
  charged: DeploymentUnit[];
  trigger: 'manual' | 'auto';
  autoDeploy: AutoDeployStatus;
  /** Every unit serves the current certificate. */
  complete: boolean;
  /** A reason for the Deployed condition when not complete. */
  summary: string;
}

/**
 * The units of a target: CDN and WAF deploy per configured domain the certificate covers; the other
 * types take the certificate as a whole, counted under its common name (one deployment per target).
 */
export function targetUnits(names: readonly string[], t: TargetFacts): { units: DeploymentUnit[]; uncovered: string[] } {
  if (t.type === 'CDN' || t.type === 'WAF') {
    const units = t.domains.filter((d) => coveringName(names, d) !== null).map((domain) => ({ target: t.name, domain }));
    return { units, uncovered: t.domains.filter((d) => coveringName(names, d) === null) };
  }
  return { units: [{ target: t.name, domain: names[0] ?? '' }], uncovered: [] };
}

export function planRollout(i: RolloutInput): RolloutPlan {
  const deployedOnce = i.records.some((r) => r.state === 'Deployed');
  // Auto-deploy at renewal (R-AUTODEPLOY-PRE, R-INHERIT): a hosted renewal's certificate goes to every target it
  // inherited; otherwise a renewal waits for a deploy request and targets keep serving the predecessor.
  const autoNow = i.hostedRenewal && i.autoDeployRequested && deployedOnce && i.grantRemaining + i.packageAvailable > 0;
  const records: UnitRecord[] = [];
  const charged: DeploymentUnit[] = [];
  let trigger: 'manual' | 'auto' = 'manual';
  for (const t of i.targets) {
    const { units, uncovered } = targetUnits(i.names, t);
    for (const domain of uncovered) {
      records.push({ target: t.name, domain, serialNumber: '', state: 'Skipped', message: `The certificate does not cover ${domain}.` });
    }
    for (const unit of units) {
      const prev = i.records.find((r) => r.target === unit.target && r.domain === unit.domain);
      if (i.keyless && !t.certificateOnly) {
        records.push({ ...unit, serialNumber: prev?.serialNumber ?? '', state: 'Failed', message: 'The certificate was issued from your CSR, so the operator has no private key to deploy here (R-CSR-NO-DEPLOY); use a certificate-only Secret target.' });
        continue;
      }
      let serial = prev?.serialNumber ?? '';
      let note: string | undefined;
      if (!prev || prev.serialNumber === '') {
        // The first deployment to a target is the manual one (naming it in spec.targets).
        serial = i.currentSerial;
        if (i.source === 'Upload') charged.push(unit);
      } else if (prev.serialNumber !== i.currentSerial) {
        if (i.sameRevisionSerials.includes(prev.serialNumber)) {
          serial = i.currentSerial;
        } else if (autoNow) {
          serial = i.currentSerial;
          trigger = 'auto';
          charged.push(unit);
        } else if (i.deployRequested) {
          serial = i.currentSerial;
          if (i.source === 'Upload') charged.push(unit);
        } else {
          note = 'A newer certificate is not deployed here: auto-deploy is off or not allowed; set the annotation certhost.io/deploy to a new value to deploy it.';
        }
      }
      const seen = i.observed(unit);
      const state: UnitState = seen && seen.serialNumber === serial ? seen.state : prev && prev.serialNumber === serial ? prev.state : 'Pending';
      const message = note ?? (seen && seen.serialNumber === serial ? seen.message : undefined);
      records.push({ ...unit, serialNumber: serial, state, ...(message === undefined ? {} : { message }) });
    }
  }
  for (const name of i.missingTargets) {
    records.push({ target: name, domain: i.names[0] ?? '', serialNumber: '', state: 'Failed', message: `The DeploymentTarget ${name} does not exist in this namespace.` });
  }
  // R-AUTODEPLOY-PRE as it stands after this pass (a first deployment reported now counts).
  const autoDeploy = autoDeployStatus({
    autoDeployRequested: i.autoDeployRequested, hosted: i.hosted, deployedOnce: deployedOnce || records.some((r) => r.state === 'Deployed'),
    creditsRemaining: i.grantRemaining + i.packageAvailable,
  });
  const live = records.filter((r) => r.state !== 'Skipped');
  const complete = live.length > 0 && live.every((r) => r.state === 'Deployed' && r.serialNumber === i.currentSerial);
  const failed = live.filter((r) => r.state === 'Failed');
  const behind = live.filter((r) => r.state === 'Deployed' && r.serialNumber !== i.currentSerial);
  const summary = live.length === 0 ? 'NoTargets'
    : complete ? 'Deployed'
      : failed.length > 0 ? 'DeploymentFailed'
        : behind.length > 0 && live.every((r) => r.state === 'Deployed') ? 'NewerCertificateNotDeployed'
          : 'DeploymentInProgress';
  return { records, charged, trigger, autoDeploy, complete, summary };
}
