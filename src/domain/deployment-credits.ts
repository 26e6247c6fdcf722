// R-DEPLOY-CREDITS and R-AUTODEPLOY-PRE: counting deployments and what they cost.

/** One deployment = one certificate to one domain on one target. */
export interface DeploymentUnit {
  target: string;
  domain: string;
}

/** The deployments a rollout makes: every (target, domain) pair, each counted once. */
export function deploymentUnits(targets: readonly { name: string; domains: readonly string[] }[]): DeploymentUnit[] {
  const seen = new Set<string>();
  const units: DeploymentUnit[] = [];
  for (const t of targets) {
    for (const domain of t.domains) {
      const k = `${t.name}\u0000${domain}`;
      if (seen.has(k)) continue;
      seen.add(k);
      units.push({ target: t.name, domain });
    }
  }
  return units;
}

export interface DeploymentChargeInput {
  source: 'Issue' | 'Upload';
  trigger: 'manual' | 'auto';
  units: number;
  /** Credits the certificate still holds from its hosting activations. */
  grantRemaining: number;
  /** Deployment credits available in Deployment packages. */
  packageAvailable: number;
}

export type DeploymentCharge =
  | { ok: true; fromGrant: number; fromPackages: number }
  | { ok: false; reason: 'InsufficientDeploymentCredits'; needed: number; available: number; message: string };

/**
 * Manual deployment of a certificate issued here is free; an uploaded certificate costs one credit
 * per deployment every time; automatic deployment at renewal costs one per deployment, taken from the
 * certificate's own grant before any package. All or nothing.
 */
export function deploymentCharge(input: DeploymentChargeInput): DeploymentCharge {
  const chargeable = input.trigger === 'auto' || input.source === 'Upload';
  if (!chargeable || input.units === 0) return { ok: true, fromGrant: 0, fromPackages: 0 };
  const available = input.grantRemaining + input.packageAvailable;
  if (available < input.units) {
    return {
      ok: false, reason: 'InsufficientDeploymentCredits', needed: input.units, available,
      message: `This rollout needs ${input.units} deployment credits and ${available} are available; add a Deployment HostingPackage. Targets keep the certificate they have.`,
    };
  }
  const fromGrant = Math.min(input.grantRemaining, input.units);
  return { ok: true, fromGrant, fromPackages: input.units - fromGrant };
}

export interface AutoDeployFacts {
  autoDeployRequested: boolean;
  hosted: boolean;
  /** Targets this certificate (or a predecessor, R-INHERIT) was deployed to at least once. */
  deployedOnce: boolean;
  creditsRemaining: number;
}

export type AutoDeployStatus = { enabled: true } | { enabled: false; reason: 'NotRequested' | 'NotHosted' | 'NeverDeployed' | 'NoDeploymentCredits'; message: string };

/** R-AUTODEPLOY-PRE: hosted, deployed at least once, and credits remain. */
export function autoDeployStatus(f: AutoDeployFacts): AutoDeployStatus {
  if (!f.autoDeployRequested) return { enabled: false, reason: 'NotRequested', message: 'spec.autoDeploy.enabled is not set.' };
  if (!f.hosted) return { enabled: false, reason: 'NotHosted', message: 'Auto-deploy needs a hosted certificate; enable spec.hosting with a service period beyond the current certificate.' };
  if (!f.deployedOnce) return { enabled: false, reason: 'NeverDeployed', message: 'Auto-deploy starts after the certificate has been deployed to its targets once.' };
  if (f.creditsRemaining <= 0) return { enabled: false, reason: 'NoDeploymentCredits', message: 'No deployment credits remain; add a Deployment HostingPackage to keep auto-deploy on.' };
  return { enabled: true };
}
