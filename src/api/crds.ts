// The CustomResourceDefinitions of the three kinds, as objects (apiextensions.k8s.io/v1), built from the
// schemas in *-schema.ts. generate-crds.ts renders them to crds/.

import { certificateSchema } from './certificate-schema.ts';
import { deploymentTargetSchema } from './deployment-target-schema.ts';
import { category, group, version } from './group-version.ts';
import { hostingPackageSchema } from './hosting-package-schema.ts';
import type { JSONSchemaProps, Schema } from './schema.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
}

interface KindDefinition {
  kind: string;
  plural: string;
  shortName: string;
  schema: Schema<unknown>;
  columns: PrinterColumn[];
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};

const readyCondition = '.status.conditions[?(@.type=="Ready")]';

// Timestamps in the future are printed as strings: kubectl shows a `date` column as an age, which is
// "<invalid>" for a time that has not come yet.
const kinds: readonly KindDefinition[] = [
  {
    kind: 'Certificate',
    plural: 'certificates',
    shortName: 'hcert',
    schema: certificateSchema as Schema<unknown>,
    columns: [
      { name: 'State', type: 'string', jsonPath: '.status.state', description: 'The console state (spec section 7).' },
      { name: 'Domain', type: 'string', jsonPath: '.spec.domains[0]', description: 'The first domain: the common name.' },
      { name: 'Not After', type: 'string', jsonPath: '.status.current.notAfter', description: 'Expiry of the current certificate.' },
      { name: 'Hosted', type: 'boolean', jsonPath: '.spec.hosting.enabled', description: 'Whether hosting (automatic renewal) is enabled.' },
      age,
      { name: 'Domains', type: 'string', jsonPath: '.spec.domains', description: 'All domains.', priority: 1 },
      { name: 'Revision', type: 'integer', jsonPath: '.status.revision', description: 'Issued revisions so far.', priority: 1 },
      { name: 'Ready', type: 'string', jsonPath: `${readyCondition}.status`, description: 'The Ready condition.', priority: 1 },
    ],
  },
  {
    kind: 'HostingPackage',
    plural: 'hostingpackages',
    shortName: 'hpkg',
    schema: hostingPackageSchema as Schema<unknown>,
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Certificate, Hosting or Deployment credits.' },
      { name: 'Total', type: 'integer', jsonPath: '.status.total', description: 'Credits in the package.' },
      { name: 'Used', type: 'integer', jsonPath: '.status.used', description: 'Credits consumed.' },
      { name: 'Reserved', type: 'integer', jsonPath: '.status.reserved', description: 'Credits reserved for Inactive successors.' },
      { name: 'Available', type: 'integer', jsonPath: '.status.available', description: 'Credits that can still be spent.' },
      age,
      { name: 'Expires', type: 'string', jsonPath: '.spec.expires', description: 'When the package stops spending.', priority: 1 },
    ],
  },
  {
    kind: 'DeploymentTarget',
    plural: 'deploymenttargets',
    shortName: 'dtarget',
    schema: deploymentTargetSchema as Schema<unknown>,
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Secret, Ingress, SLB, CDN or WAF.' },
      { name: 'Ready', type: 'string', jsonPath: `${readyCondition}.status`, description: 'The Ready condition.' },
      age,
      { name: 'Reason', type: 'string', jsonPath: `${readyCondition}.reason`, description: 'Why Ready is what it is.', priority: 1 },
    ],
  },
];

export function crdDefinitions(): CustomResourceDefinition[] {
  return kinds.map((k) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${group}`,
      labels: { 'app.kubernetes.io/name': 'certhost', 'app.kubernetes.io/part-of': 'certhost' },
    },
    spec: {
      group,
      names: {
        kind: k.kind,
        listKind: `${k.kind}List`,
        plural: k.plural,
        singular: k.kind.toLowerCase(),
        shortNames: [k.shortName],
        categories: [category],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: k.columns,
          schema: { openAPIV3Schema: k.schema.json },
        },
      ],
    },
  }));
}

/** The file each CRD is written to, relative to the repository root (kubebuilder's naming). */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `crds/${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}
