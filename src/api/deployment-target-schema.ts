// OpenAPI schema and admission rules (CEL) of DeploymentTarget.

import { deploymentStates } from './certificate-types.ts';
import { conditionsSchema } from './condition-schema.ts';
import type {
  DeploymentTarget,
  DeploymentTargetSpec,
  DeploymentTargetStatus,
  IngressTargetSpec,
  RegionsSpec,
  RestartWorkloadsSpec,
  SecretTargetSpec,
  TargetDeploymentStatus,
  VerifySpec,
} from './deployment-target-types.ts';
import { targetTypes } from './deployment-target-types.ts';
import { domainNameSchema } from './domain-name-schema.ts';
import { labelSelector, namespaceName, objectName } from './meta-schema.ts';
import type { Schema, ValidationRule } from './schema.ts';
import { array, dateTime, enumeration, integer, object, optional, required, resource, string } from './schema.ts';

export const maxTargetDomains = 100;
export const maxCopyNamespaces = 100;

const typeIn = (...types: string[]): string =>
  types.length === 1 ? `self.type == '${types[0]}'` : `self.type in [${types.map((t) => `'${t}'`).join(', ')}]`;

export const deploymentTargetSpecRules: readonly ValidationRule[] = [
  {
    rule: `!(${typeIn('Secret')}) || has(self.secret)`,
    message:
      'A Secret target needs spec.secret: give the namespaces to copy the certificate into (an empty object ' +
      'copies it into this namespace).',
    fieldPath: '.secret',
  },
  {
    rule: `!(${typeIn('Ingress')}) || has(self.ingress)`,
    message: 'An Ingress target needs spec.ingress: give the className or the selector of the Ingresses to patch.',
    fieldPath: '.ingress',
  },
  {
    rule: `!(${typeIn('Ingress')}) || !has(self.ingress) || has(self.ingress.className) || has(self.ingress.selector)`,
    message: 'An Ingress target needs spec.ingress.className or spec.ingress.selector to choose the Ingresses to patch.',
    fieldPath: '.ingress',
  },
  {
    rule: `!(${typeIn('SLB')}) || has(self.regions)`,
    message:
      'An SLB target needs spec.regions.namespaceSelector: every selected namespace is a region the ' +
      'certificate is deployed to (R-TARGET-SLB).',
    fieldPath: '.regions',
  },
  {
    rule: `!(${typeIn('SLB', 'CDN', 'WAF')}) || (has(self.ingress) && has(self.ingress.className))`,
    message:
      'SLB, CDN and WAF targets need spec.ingress.className: their listeners and domains are the Ingresses ' +
      'of that class.',
    fieldPath: '.ingress.className',
  },
  {
    rule: `!(${typeIn('CDN', 'WAF')}) || has(self.domains)`,
    message:
      'CDN and WAF targets need spec.domains: the domains on the target to deploy to; each must exist and be ' +
      'running (R-TARGET-CDN).',
    fieldPath: '.domains',
  },
  {
    rule: `${typeIn('Secret')} || !has(self.secret)`,
    message: 'spec.secret is used only by Secret targets: remove it, or set spec.type to Secret.',
    fieldPath: '.secret',
  },
  {
    rule: `!(${typeIn('Secret')}) || !has(self.ingress)`,
    message: 'A Secret target does not use Ingresses: remove spec.ingress, or choose type Ingress, SLB, CDN or WAF.',
    fieldPath: '.ingress',
  },
  {
    rule: `${typeIn('SLB')} || !has(self.regions)`,
    message: 'spec.regions is used only by SLB targets: remove it, or set spec.type to SLB.',
    fieldPath: '.regions',
  },
  {
    rule: `${typeIn('CDN', 'WAF')} || !has(self.domains)`,
    message:
      'spec.domains is used only by CDN and WAF targets (the others take the domains of each Certificate): ' +
      'remove it, or set spec.type to CDN or WAF.',
    fieldPath: '.domains',
  },
];

export const targetTypeTransitionRule: ValidationRule = {
  rule: 'self == oldSelf',
  message: 'spec.type cannot change after creation: create a new DeploymentTarget of the other type.',
};

const specSchema = object<DeploymentTargetSpec>(
  { description: 'Where and how certificates are rolled out.', rules: deploymentTargetSpecRules },
  {
    type: required(
      enumeration(targetTypes, {
        description:
          'Secret: copy the certificate. Ingress: patch spec.tls of the selected Ingresses. SLB: copy into ' +
          'every region namespace and point its listeners at it. CDN, WAF: deploy to domains that run on an ' +
          'Ingress of the class. Cannot change after creation.',
        rules: [targetTypeTransitionRule],
      }),
    ),
    secret: optional(
      object<SecretTargetSpec>(
        { description: 'Secret targets: where to copy the certificate.' },
        {
          name: optional(objectName("Name of the copies; absent means the Certificate's secretName.")),
          namespaces: optional(
            array(namespaceName('A namespace; it must allow this one with certhost.io/allow-targets-from.'), {
              description:
                "Namespaces to copy into; absent means this namespace. Others must allow it (R-TENANCY).",
              maxItems: maxCopyNamespaces,
              listType: 'set',
            }),
          ),
        },
      ),
    ),
    ingress: optional(
      object<IngressTargetSpec>(
        { description: 'Ingress-style targets: which Ingresses are its listeners or domains.' },
        {
          className: optional(
            string({
              description: 'The IngressClass name (spec.ingressClassName of the Ingresses).',
              minLength: 1,
              maxLength: 253,
            }),
          ),
          selector: optional(labelSelector('Which Ingresses to use; absent means all (of the class).')),
        },
      ),
    ),
    regions: optional(
      object<RegionsSpec>(
        { description: 'SLB targets: the region namespaces.' },
        {
          namespaceSelector: required(
            labelSelector('Each selected namespace is a region; it must allow this one (R-TENANCY).'),
          ),
        },
      ),
    ),
    domains: optional(
      array(domainNameSchema('A domain on the CDN or WAF.'), {
        description: 'CDN and WAF targets: the domains on the target (R-TARGET-CDN).',
        minItems: 1,
        maxItems: maxTargetDomains,
        listType: 'set',
      }),
    ),
    restartWorkloads: optional(
      object<RestartWorkloadsSpec>(
        { description: 'Rolling restart of workloads that mount the Secret, after it changed.' },
        { selector: required(labelSelector('Deployments, StatefulSets and DaemonSets to restart.')) },
      ),
    ),
    verify: optional(
      object<VerifySpec>(
        { description: 'A TLS probe: the rollout is complete when the new serial is served (R-VERIFY).' },
        {
          address: required(
            string({ description: 'IP address or host name to connect to.', minLength: 1, maxLength: 253 }),
          ),
          port: optional(integer({ description: 'TCP port; default 443.', minimum: 1, maximum: 65535, default: 443 })),
        },
      ),
    ),
  },
);

const targetDeployment = object<TargetDeploymentStatus>(
  { description: 'The rollout of one certificate to one domain.' },
  {
    certificate: required(string({ description: 'The Certificate, in this namespace.', maxLength: 253 })),
    domain: required(string({ description: 'The domain.', maxLength: 253 })),
    namespace: optional(string({ description: 'Where the copy or listener lives.', maxLength: 63 })),
    serialNumber: required(string({ description: 'The serial number deployed.', maxLength: 64 })),
    state: required(enumeration(deploymentStates, { description: 'Where the rollout stands (R-VERIFY).' })),
    time: required(dateTime({ description: 'When state last changed.' })),
    message: optional(string({ description: 'Details, for a person.', maxLength: 1024 })),
  },
);

const statusSchema = object<DeploymentTargetStatus>(
  { description: 'What the operator observed and did. Written only by the operator.' },
  {
    observedGeneration: optional(
      integer({ description: 'The metadata.generation this status describes.', format: 'int64', minimum: 0 }),
    ),
    conditions: optional(conditionsSchema('Ready: whether the target is usable.')),
    deployments: optional(
      array(targetDeployment, { description: 'Rollouts per certificate, domain and namespace.', listType: 'atomic' }),
    ),
  },
);

export const deploymentTargetSchema: Schema<DeploymentTarget> = resource<DeploymentTarget>(
  {
    description:
      'A place certificates are rolled out to. Writes into other namespaces only where they allow it with ' +
      'the certhost.io/allow-targets-from annotation (R-TENANCY).',
  },
  specSchema,
  statusSchema,
);
