// The operator's config file (`--config`, YAML): issuer profiles per brand (R-PROFILE), validation
// settings (R-VALIDATION-RECORDS, R-REVIEW), quotas (R-FREE-QUOTA). Every field has a default, so the
// operator runs without a file; a bad file is a clear startup error, never a crash loop of stack traces.
import { load } from 'js-yaml';
import type { IssuerProfile } from '../domain/issuer-profile.ts';
import { checkProfile, defaultProfile } from '../domain/issuer-profile.ts';
import { DEFAULT_REVIEW_TIMEOUT } from '../domain/review-schedule.ts';
import { DEFAULT_FREE_QUOTA_PER_YEAR } from '../domain/credit-costs.ts';
import { type Duration, DAY, parseGoDuration } from '../domain/time.ts';

/** How the built-in CA proves control of the domains: none (a private CA) or real checks. */
export type ValidationMode = 'none' | 'check';

export interface BrandProfile {
  profile: IssuerProfile;
  validation: ValidationMode;
  /** false: applications need no credits (a private CA for internal names). */
  creditsRequired: boolean;
}

export interface OperatorConfig {
  defaultBrand: BrandProfile;
  brands: Record<string, BrandProfile>;
  /** DNS server for `_dnsauth` TXT lookups and for resolving names for file validation ("host:port"). */
  nameserver: string | null;
  /** Port of the HTTP file-validation GET (80 in production; tests use a loopback port). */
  httpValidationPort: number;
  reviewTimeout: Duration;
  freeQuotaPerYear: number;
  /** Where the built-in CA's root and intermediates live. */
  caSecret: { namespace: string; name: string };
  /** Add an intermediate before the newest one would cut a leaf (R-CAP); off leaves rotation to an admin. */
  caAutoRotate: boolean;
  /** HTTP timeout for reminder webhooks. */
  webhookTimeoutMs: number;
  /** R-VERIFY: how long a target may take to serve a new certificate before it is rolled back. */
  verifyTimeoutMs: number;
}

export function defaultConfig(operatorNamespace: string): OperatorConfig {
  return {
    defaultBrand: { profile: defaultProfile, validation: 'none', creditsRequired: true },
    brands: {},
    nameserver: null,
    httpValidationPort: 80,
    reviewTimeout: DEFAULT_REVIEW_TIMEOUT,
    freeQuotaPerYear: DEFAULT_FREE_QUOTA_PER_YEAR,
    caSecret: { namespace: operatorNamespace, name: 'certhost-ca' },
    caAutoRotate: true,
    webhookTimeoutMs: 5000,
    verifyTimeoutMs: 120_000,
  };
}

export function brandProfile(config: OperatorConfig, brand: string): BrandProfile {
  return config.brands[brand] ?? config.defaultBrand;
}

type Raw = Record<string, unknown>;
export type ConfigResult = { ok: true; config: OperatorConfig } | { ok: false; message: string };

function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readBrand(raw: unknown, base: BrandProfile, where: string): BrandProfile | string {
  if (raw === undefined) return base;
  if (!isRaw(raw)) return `${where} must be a mapping.`;
  const num = (k: string, fallback: number): number | string => {
    const v = raw[k];
    if (v === undefined) return fallback;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : `${where}.${k} must be a positive number of days.`;
  };
  const base_ = num('baseValidityDays', base.profile.baseValidity / DAY);
  const max = num('maxValidityDays', base.profile.maxValidity / DAY);
  const win = num('windowDays', base.profile.window / DAY);
  for (const v of [base_, max, win]) if (typeof v === 'string') return v;
  const cab = raw.cabSchedule ?? base.profile.cabSchedule;
  if (typeof cab !== 'boolean') return `${where}.cabSchedule must be true or false.`;
  const validation = raw.validation ?? base.validation;
  if (validation !== 'none' && validation !== 'check') return `${where}.validation must be "none" or "check".`;
  const credits = raw.creditsRequired ?? base.creditsRequired;
  if (typeof credits !== 'boolean') return `${where}.creditsRequired must be true or false.`;
  const profile: IssuerProfile = { baseValidity: (base_ as number) * DAY, maxValidity: (max as number) * DAY, window: (win as number) * DAY, cabSchedule: cab };
  const check = checkProfile(profile);
  if (!check.ok) return `${where}: ${check.message}`;
  return { profile, validation, creditsRequired: credits };
}

export function parseConfig(text: string, operatorNamespace: string): ConfigResult {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    return { ok: false, message: `the config file is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  const config = defaultConfig(operatorNamespace);
  if (doc === undefined || doc === null) return { ok: true, config };
  if (!isRaw(doc)) return { ok: false, message: 'the config file must be a YAML mapping.' };
  const issuers = doc.issuers;
  if (issuers !== undefined) {
    if (!isRaw(issuers)) return { ok: false, message: 'issuers must be a mapping.' };
    const d = readBrand(issuers.default, config.defaultBrand, 'issuers.default');
    if (typeof d === 'string') return { ok: false, message: d };
    config.defaultBrand = d;
    const brands = issuers.brands ?? {};
    if (!isRaw(brands)) return { ok: false, message: 'issuers.brands must be a mapping of brand name to profile.' };
    for (const [name, raw] of Object.entries(brands)) {
      const b = readBrand(raw, config.defaultBrand, `issuers.brands.${name}`);
      if (typeof b === 'string') return { ok: false, message: b };
      config.brands[name] = b;
    }
  }
  const v = doc.validation;
  if (v !== undefined) {
    if (!isRaw(v)) return { ok: false, message: 'validation must be a mapping.' };
    if (v.nameserver !== undefined) {
      if (typeof v.nameserver !== 'string' || !/^[^\s:]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i.test(v.nameserver)) {
        return { ok: false, message: 'validation.nameserver must be "host" or "host:port".' };
      }
      config.nameserver = v.nameserver;
    }
    if (v.httpPort !== undefined) {
      if (typeof v.httpPort !== 'number' || !Number.isInteger(v.httpPort) || v.httpPort < 1 || v.httpPort > 65535) return { ok: false, message: 'validation.httpPort must be a port number.' };
      config.httpValidationPort = v.httpPort;
    }
    if (v.reviewTimeout !== undefined) {
      const d = typeof v.reviewTimeout === 'string' ? parseGoDuration(v.reviewTimeout) : null;
      if (d === null || d <= 0) return { ok: false, message: 'validation.reviewTimeout must be a duration such as "168h".' };
      config.reviewTimeout = d;
    }
  }
  if (doc.verifyTimeout !== undefined) {
    const d = typeof doc.verifyTimeout === 'string' ? parseGoDuration(doc.verifyTimeout) : null;
    if (d === null || d <= 0) return { ok: false, message: 'verifyTimeout must be a duration such as "2m".' };
    config.verifyTimeoutMs = d;
  }
  if (doc.freeQuotaPerYear !== undefined) {
    if (typeof doc.freeQuotaPerYear !== 'number' || !Number.isInteger(doc.freeQuotaPerYear) || doc.freeQuotaPerYear < 0) return { ok: false, message: 'freeQuotaPerYear must be a whole number.' };
    config.freeQuotaPerYear = doc.freeQuotaPerYear;
  }
  if (doc.caSecret !== undefined) {
    if (!isRaw(doc.caSecret) || typeof doc.caSecret.name !== 'string') return { ok: false, message: 'caSecret must have a name (and optionally a namespace).' };
    config.caSecret = { name: doc.caSecret.name, namespace: typeof doc.caSecret.namespace === 'string' ? doc.caSecret.namespace : operatorNamespace };
    if (doc.caSecret.autoRotate !== undefined) {
      if (typeof doc.caSecret.autoRotate !== 'boolean') return { ok: false, message: 'caSecret.autoRotate must be true or false.' };
      config.caAutoRotate = doc.caSecret.autoRotate;
    }
  }
  return { ok: true, config };
}
