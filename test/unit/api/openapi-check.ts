// A small structural check of a manifest against a CRD's OpenAPI schema (types, required, enums, bounds,
// patterns, list uniqueness, unknown fields), defaulting as the apiserver does, and a walk that runs the
// CEL rules (x-kubernetes-validations) with the CEL subset interpreter. Messages copy the apiserver's
// wording where the invalid samples rely on it. Not a full validator: the apiserver is the judge.

import type { JSONSchemaProps } from '../../../src/api/schema.ts';
import { CelError, evaluateRule, isTransitionRule } from './cel-subset.ts';

export interface Problem {
  path: string;
  message: string;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A deep copy with schema defaults filled in, the way the apiserver defaults on admission. */
export function withDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items === undefined ? value : value.map((v) => withDefaults(schema.items as JSONSchemaProps, v));
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const prop = schema.properties?.[k] ?? schema.additionalProperties;
    out[k] = prop === undefined ? v : withDefaults(prop, v);
  }
  for (const [k, prop] of Object.entries(schema.properties ?? {})) {
    if (!(k in out) && prop.default !== undefined) out[k] = structuredClone(prop.default);
  }
  return out;
}

function typeOk(type: JSONSchemaProps['type'], v: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return isMap(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
  }
}

/** Structural problems of `value` at `path` (root: ''). Does not run CEL. */
export function structuralProblems(schema: JSONSchemaProps, value: unknown, path = ''): Problem[] {
  const out: Problem[] = [];
  const at = path === '' ? '<root>' : path;
  if (value === null || !typeOk(schema.type, value)) {
    return [{ path: at, message: `Invalid value: ${JSON.stringify(value)}: ${at} in body must be of type ${schema.type ?? 'any'}` }];
  }
  if (typeof value === 'string') {
    const len = [...value].length;
    if (schema.enum !== undefined && !schema.enum.includes(value)) {
      out.push({
        path: at,
        message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      });
    }
    if (schema.maxLength !== undefined && len > schema.maxLength) {
      out.push({ path: at, message: `Too long: may not be more than ${schema.maxLength} bytes` });
    }
    if (schema.minLength !== undefined && len < schema.minLength) {
      out.push({ path: at, message: `Invalid value: ${JSON.stringify(value)}: ${at} in body should be at least ${schema.minLength} chars long` });
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      out.push({ path: at, message: `Invalid value: ${JSON.stringify(value)}: ${at} in body should match '${schema.pattern}'` });
    }
    if (schema.format === 'date-time' && !rfc3339.test(value)) {
      out.push({ path: at, message: `Invalid value: ${JSON.stringify(value)}: ${at} in body must be of type date-time` });
    }
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && value > schema.maximum) {
      out.push({ path: at, message: `Invalid value: ${value}: ${at} in body should be less than or equal to ${schema.maximum}` });
    }
    if (schema.minimum !== undefined && value < schema.minimum) {
      out.push({ path: at, message: `Invalid value: ${value}: ${at} in body should be greater than or equal to ${schema.minimum}` });
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      out.push({ path: at, message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      out.push({ path: at, message: `Invalid value: ${value.length}: ${at} in body should have at least ${schema.minItems} items` });
    }
    const listType = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const id = listType === 'set' ? JSON.stringify(item) : listType === 'map' && isMap(item) ? JSON.stringify(keys.map((k) => item[k])) : null;
      if (id !== null) {
        if (seen.has(id)) out.push({ path: `${path}[${i}]`, message: `Duplicate value: ${id}` });
        seen.add(id);
      }
      if (schema.items !== undefined) out.push(...structuralProblems(schema.items, item, `${path}[${i}]`));
    });
  }
  if (isMap(value)) {
    const prefix = path === '' ? '' : `${path}.`;
    for (const r of schema.required ?? []) {
      if (!(r in value)) out.push({ path: `${prefix}${r}`, message: 'Required value' });
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) {
      out.push({ path: at, message: `Too many: ${Object.keys(value).length}: must have at most ${schema.maxProperties} items` });
    }
    for (const [k, v] of Object.entries(value)) {
      const prop = schema.properties?.[k] ?? schema.additionalProperties;
      // metadata is owned by the apiserver (its schema here is just `type: object`).
      if (prop === undefined) {
        if (schema.properties !== undefined) out.push({ path: `${prefix}${k}`, message: 'unknown field (the apiserver would drop it)' });
        continue;
      }
      if (path === '' && k === 'metadata') continue;
      out.push(...structuralProblems(prop, v, `${prefix}${k}`));
    }
  }
  return out;
}

export interface RuleOutcome {
  path: string;
  rule: string;
  message: string;
  /** false: the rule rejects; an error: the rule could not be evaluated (also a rejection). */
  result: boolean | CelError;
}

/**
 * Runs every CEL rule that applies to `value` (and `old` for transition rules on update). Returns the
 * outcomes of the rules that ran.
 */
export function runRules(schema: JSONSchemaProps, value: unknown, old: unknown, path = ''): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  for (const r of schema['x-kubernetes-validations'] ?? []) {
    const transition = isTransitionRule(r.rule);
    if (transition && old === undefined) continue;
    const vars = transition ? { self: value, oldSelf: old } : { self: value };
    out.push({ path: path === '' ? '<root>' : path, rule: r.rule, message: r.message, result: evaluateRule(r.rule, vars) });
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    // Items of sets and atomic lists are not correlated with old items: no transition rules below.
    const items = schema.items;
    value.forEach((item, i) => out.push(...runRules(items, item, undefined, `${path}[${i}]`)));
  }
  if (isMap(value)) {
    const prefix = path === '' ? '' : `${path}.`;
    for (const [k, v] of Object.entries(value)) {
      const prop = schema.properties?.[k] ?? schema.additionalProperties;
      if (prop === undefined) continue;
      const o = isMap(old) ? old[k] : undefined;
      out.push(...runRules(prop, v, o, `${prefix}${k}`));
    }
  }
  return out;
}

/** The messages of the rules that reject (false or error). */
export function ruleFailures(schema: JSONSchemaProps, value: unknown, old?: unknown): RuleOutcome[] {
  const d = withDefaults(schema, value);
  const o = old === undefined ? undefined : withDefaults(schema, old);
  return runRules(schema, d, o).filter((r) => r.result !== true);
}

/** Every x-kubernetes-validations rule in a schema, with the path of the node that holds it. */
export function allRules(schema: JSONSchemaProps, path = ''): { path: string; rule: string; message: string; fieldPath?: string }[] {
  const out: { path: string; rule: string; message: string; fieldPath?: string }[] = [];
  for (const r of schema['x-kubernetes-validations'] ?? []) {
    out.push(r.fieldPath === undefined ? { path, rule: r.rule, message: r.message } : { path, rule: r.rule, message: r.message, fieldPath: r.fieldPath });
  }
  if (schema.items !== undefined) out.push(...allRules(schema.items, `${path}[*]`));
  for (const [k, p] of Object.entries(schema.properties ?? {})) out.push(...allRules(p, path === '' ? k : `${path}.${k}`));
  if (schema.additionalProperties !== undefined) out.push(...allRules(schema.additionalProperties, `${path}.*`));
  return out;
}

/** Walks every node of a schema. */
export function walkSchema(schema: JSONSchemaProps, visit: (node: JSONSchemaProps, path: string) => void, path = ''): void {
  visit(schema, path);
  if (schema.items !== undefined) walkSchema(schema.items, visit, `${path}[*]`);
  for (const [k, p] of Object.entries(schema.properties ?? {})) walkSchema(p, visit, path === '' ? k : `${path}.${k}`);
  if (schema.additionalProperties !== undefined) walkSchema(schema.additionalProperties, visit, `${path}.*`);
}
