// Typed builders for the OpenAPI v3 (structural) schemas of the CRDs.
//
// The TypeScript types in `*-types.ts` and the schemas in `*-schema.ts` are one source of truth checked by
// the compiler: every builder returns a `Schema<V>` that carries the TypeScript type `V` it describes, and
// `object<T>()` demands exactly one field per property of `T`, `required(…)` for the properties `T`
// declares required and `optional(…)` for the optional ones. A field added to a type without a schema (or
// the other way round), an enum that differs from the union, or a required/optional mismatch fails
// `tsc`. The generated `crds/` are rendered from these objects by `generate-crds.ts`.

/** A CEL rule (`x-kubernetes-validations`). `message` is required here: it is what the user reads. */
export interface ValidationRule {
  rule: string;
  /** A sentence that says what is wrong and what to do, citing the spec rule where there is one. */
  message: string;
  /** Where the error points, relative to the node that holds the rule (e.g. `.validation.method`). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps the CRDs use. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  format?: string;
  enum?: readonly string[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  properties?: Record<string, JSONSchemaProps>;
  required?: readonly string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: readonly ValidationRule[];
}

/**
 * A schema together with the TypeScript type of the values it accepts. `V` is a phantom: the property is
 * never set at runtime; the function type makes `Schema` invariant in `V`, so a `Schema<string>` cannot
 * stand where a `Schema<'DV' | 'OV'>` is declared, nor the other way round.
 */
export interface Schema<V> {
  readonly json: JSONSchemaProps;
  readonly __value?: (v: V) => V;
}

interface Common {
  /** Every node of the schema has a description (it is what `kubectl explain` prints). */
  description: string;
  rules?: readonly ValidationRule[];
}

function withCommon(json: JSONSchemaProps, c: Common): JSONSchemaProps {
  const out: JSONSchemaProps = { ...json, description: c.description };
  if (c.rules !== undefined && c.rules.length > 0) out['x-kubernetes-validations'] = c.rules;
  return out;
}

// Order keys the way controller-gen does (description first), so the YAML reads naturally.
function ordered(json: JSONSchemaProps): JSONSchemaProps {
  const { description, type, ...rest } = json;
  const out: JSONSchemaProps = {};
  if (description !== undefined) out.description = description;
  if (type !== undefined) out.type = type;
  return { ...out, ...rest };
}

function make<V>(json: JSONSchemaProps): Schema<V> {
  return { json: ordered(json) };
}

export interface StringOptions extends Common {
  /** Required on every string: CEL cost estimates and etcd object size both need a bound. */
  maxLength: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  default?: string;
}

export function string(o: StringOptions): Schema<string> {
  const json: JSONSchemaProps = { type: 'string' };
  if (o.format !== undefined) json.format = o.format;
  if (o.default !== undefined) json.default = o.default;
  if (o.minLength !== undefined) json.minLength = o.minLength;
  json.maxLength = o.maxLength;
  if (o.pattern !== undefined) json.pattern = o.pattern;
  return make(withCommon(json, o));
}

/** An RFC 3339 timestamp (`metav1.Time` on the wire). */
export function dateTime(o: Common): Schema<string> {
  return make(withCommon({ type: 'string', format: 'date-time' }, o));
}

export interface EnumOptions<V extends string> extends Common {
  default?: V;
}

export function enumeration<const V extends string>(values: readonly V[], o: EnumOptions<V>): Schema<V> {
  const json: JSONSchemaProps = { type: 'string', enum: [...values] };
  if (o.default !== undefined) json.default = o.default;
  json.maxLength = Math.max(...values.map((v) => v.length));
  return make(withCommon(json, o));
}

export interface IntegerOptions extends Common {
  minimum?: number;
  maximum?: number;
  format?: 'int32' | 'int64';
  default?: number;
}

export function integer(o: IntegerOptions): Schema<number> {
  const json: JSONSchemaProps = { type: 'integer' };
  if (o.format !== undefined) json.format = o.format;
  if (o.default !== undefined) json.default = o.default;
  if (o.minimum !== undefined) json.minimum = o.minimum;
  if (o.maximum !== undefined) json.maximum = o.maximum;
  return make(withCommon(json, o));
}

export function boolean(o: Common & { default?: boolean }): Schema<boolean> {
  const json: JSONSchemaProps = { type: 'boolean' };
  if (o.default !== undefined) json.default = o.default;
  return make(withCommon(json, o));
}

export interface ArrayOptions extends Common {
  /**
   * Every list in a spec has one (CEL cost estimates need it; a unit test checks). Status lists have one
   * only where the controller bounds them by design: a status write over the bound would fail.
   */
  maxItems?: number;
  minItems?: number;
  listType: 'atomic' | 'set' | 'map';
  /** For `listType: 'map'`: the required scalar fields that identify an item. */
  listMapKeys?: readonly string[];
}

export function array<E>(items: Schema<E>, o: ArrayOptions): Schema<E[]> {
  const json: JSONSchemaProps = { type: 'array', items: items.json };
  if (o.minItems !== undefined) json.minItems = o.minItems;
  if (o.maxItems !== undefined) json.maxItems = o.maxItems;
  json['x-kubernetes-list-type'] = o.listType;
  if (o.listMapKeys !== undefined) json['x-kubernetes-list-map-keys'] = o.listMapKeys;
  return make(withCommon(json, o));
}

/** `map[string]string` (labels, matchLabels). */
export function stringMap(o: Common & { maxProperties: number; maxValueLength: number }): Schema<Record<string, string>> {
  return make(
    withCommon(
      {
        type: 'object',
        maxProperties: o.maxProperties,
        additionalProperties: { type: 'string', maxLength: o.maxValueLength },
      },
      o,
    ),
  );
}

/** One property of an object schema, marked required or optional to match the TypeScript type. */
export interface Field<Req extends boolean, V> {
  readonly required: Req;
  readonly schema: Schema<V>;
}

export function required<V>(schema: Schema<V>): Field<true, V> {
  return { required: true, schema };
}

export function optional<V>(schema: Schema<V>): Field<false, V> {
  return { required: false, schema };
}

/** The fields `object<T>()` needs: one per property of `T`, required exactly where `T` requires it. */
export type Fields<T> = {
  [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? Field<false, Exclude<T[K], undefined>> : Field<true, T[K]>;
};

export interface ObjectOptions extends Common {
  /** `x-kubernetes-map-type: atomic`: the object is replaced as a whole on merge (label selectors). */
  atomic?: boolean;
}

export function object<T>(o: ObjectOptions, fields: Fields<T>): Schema<T> {
  const properties: Record<string, JSONSchemaProps> = {};
  const req: string[] = [];
  for (const [name, field] of Object.entries(fields) as [string, Field<boolean, unknown>][]) {
    properties[name] = field.schema.json;
    if (field.required) req.push(name);
  }
  const json: JSONSchemaProps = { type: 'object', properties };
  if (req.length > 0) json.required = req;
  if (o.atomic === true) json['x-kubernetes-map-type'] = 'atomic';
  return make(withCommon(json, o));
}

/** The fields every resource has; the apiserver owns the schema of apiVersion, kind and metadata. */
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: object;
  spec: unknown;
  status?: unknown;
}

/**
 * The root schema of a kind: `spec` (required) and `status`, typed by the resource type `T`. Rules given
 * here may read `self.metadata.name`.
 */
export function resource<T extends Resource>(
  o: Common,
  spec: Schema<T['spec']>,
  status: Schema<Exclude<T['status'], undefined>>,
): Schema<T> {
  const json: JSONSchemaProps = {
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should ' +
          'convert recognized schemas to the latest internal value, and may reject unrecognized values.',
        type: 'string',
      },
      kind: {
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer ' +
          'this from the endpoint the client submits requests to. In CamelCase.',
        type: 'string',
      },
      metadata: { type: 'object' },
      spec: spec.json,
      status: status.json,
    },
    required: ['spec'],
  };
  return make(withCommon(json, o));
}
