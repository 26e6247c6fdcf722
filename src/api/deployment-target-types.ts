// DeploymentTarget (certhost.io/v1alpha1): a place certificates are rolled out to (architecture
// section 2, spec section 5). The schema is in deployment-target-schema.ts.

import type { DeploymentState } from './certificate-types.ts';
import type { Condition } from './conditions.ts';
import type { ApiVersion } from './group-version.ts';
import type { LabelSelector, ObjectMeta } from './meta-types.ts';

export const deploymentTargetKind = 'DeploymentTarget';

/**
 * Secret: copy the certificate. Ingress: patch spec.tls of Ingresses. SLB: copy into every region
 * namespace and point the listeners at it (R-TARGET-SLB). CDN, WAF: only domains that run on an Ingress
 * of their class (R-TARGET-CDN).
 */
export const targetTypes = ['Secret', 'Ingress', 'SLB', 'CDN', 'WAF'] as const;
export type TargetType = (typeof targetTypes)[number];

export interface SecretTargetSpec {
  /** Name of the copies; absent means the Certificate's secretName. */
  name?: string;
  /** Namespaces to copy into (each must allow it, R-TENANCY); absent means the target's namespace. */
  namespaces?: string[];
}

export interface IngressTargetSpec {
  /** The IngressClass whose Ingresses are this target's listeners or domains. */
  className?: string;
  /** Which Ingresses (of the class, if given) to use; absent means all. */
  selector?: LabelSelector;
}

export interface RegionsSpec {
  /** Each selected namespace is a region (R-TARGET-SLB). */
  namespaceSelector: LabelSelector;
}

export interface RestartWorkloadsSpec {
  /** Deployments, StatefulSets and DaemonSets to restart after the Secret they mount changed. */
  selector: LabelSelector;
}

export interface VerifySpec {
  /** Where to connect for the TLS probe (R-VERIFY): an IP address or host name. */
  address: string;
  /** Default 443. */
  port?: number;
}

export interface DeploymentTargetSpec {
  type: TargetType;
  secret?: SecretTargetSpec;
  ingress?: IngressTargetSpec;
  regions?: RegionsSpec;
  /** CDN/WAF: the domains on the target (R-TARGET-CDN). */
  domains?: string[];
  restartWorkloads?: RestartWorkloadsSpec;
  verify?: VerifySpec;
}

export interface TargetDeploymentStatus {
  /** The Certificate's name, in the target's namespace. */
  certificate: string;
  domain: string;
  /** Where the copy or listener lives (region namespace for SLB). */
  namespace?: string;
  serialNumber: string;
  state: DeploymentState;
  time: string;
  message?: string;
}

export interface DeploymentTargetStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  deployments?: TargetDeploymentStatus[];
}

export interface DeploymentTarget {
  apiVersion: ApiVersion;
  kind: typeof deploymentTargetKind;
  metadata: ObjectMeta;
  spec: DeploymentTargetSpec;
  status?: DeploymentTargetStatus;
}
