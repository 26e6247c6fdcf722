// Schemas of the shapes in meta-types.ts.

import type { LabelSelector, LabelSelectorRequirement, LocalObjectReference, SecretKeySelector } from './meta-types.ts';
import { labelSelectorOperators } from './meta-types.ts';
import type { Schema } from './schema.ts';
import { array, enumeration, object, optional, required, string, stringMap } from './schema.ts';

/** A DNS-1123 subdomain: the names of Secrets, Certificates, DeploymentTargets… */
export const dns1123SubdomainPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A DNS-1123 label: the names of namespaces. */
export const dns1123LabelPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export function objectName(description: string): Schema<string> {
  return string({ description, minLength: 1, maxLength: 253, pattern: dns1123SubdomainPattern });
}

export function namespaceName(description: string): Schema<string> {
  return string({ description, minLength: 1, maxLength: 63, pattern: dns1123LabelPattern });
}

export function localObjectReference(description: string, nameDescription: string): Schema<LocalObjectReference> {
  return object<LocalObjectReference>({ description }, { name: required(objectName(nameDescription)) });
}

export function secretKeySelector(description: string): Schema<SecretKeySelector> {
  return object<SecretKeySelector>(
    { description },
    {
      name: required(objectName('Name of the Secret, in the same namespace.')),
      key: required(
        string({
          description: 'Key within the Secret.',
          minLength: 1,
          maxLength: 253,
          pattern: '^[-._a-zA-Z0-9]+$',
        }),
      ),
    },
  );
}

const labelSelectorRequirement = object<LabelSelectorRequirement>(
  { description: 'A label selector requirement: a key, an operator and values.' },
  {
    key: required(string({ description: 'The label key the selector applies to.', minLength: 1, maxLength: 317 })),
    operator: required(
      enumeration(labelSelectorOperators, { description: "The key's relationship to the values." }),
    ),
    values: optional(
      array(string({ description: 'A label value.', maxLength: 63 }), {
        description: 'Values for In and NotIn; empty for Exists and DoesNotExist.',
        maxItems: 64,
        listType: 'atomic',
      }),
    ),
  },
);

export function labelSelector(description: string): Schema<LabelSelector> {
  return object<LabelSelector>(
    { description, atomic: true },
    {
      matchLabels: optional(
        stringMap({
          description: 'Labels that must all match exactly (ANDed with matchExpressions).',
          maxProperties: 64,
          maxValueLength: 63,
        }),
      ),
      matchExpressions: optional(
        array(labelSelectorRequirement, {
          description: 'Label selector requirements, ANDed.',
          maxItems: 64,
          listType: 'atomic',
        }),
      ),
    },
  );
}
