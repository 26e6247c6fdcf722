// Shapes shared by the three kinds, in their wire form (JSON as the apiserver returns it).

/**
 * The part of `metav1.ObjectMeta` the operator reads and writes. Timestamps are RFC 3339 strings, as on
 * the wire; the domain layer parses them.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A reference to an object by name in the same namespace. */
export interface LocalObjectReference {
  name: string;
}

/** A key of a Secret in the same namespace. */
export interface SecretKeySelector {
  name: string;
  key: string;
}

export const labelSelectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof labelSelectorOperators)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** `metav1.LabelSelector`: both parts are ANDed; an empty selector matches everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}
