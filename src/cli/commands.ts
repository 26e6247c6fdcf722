// The commands of `kubectl certhost`: read what they need from the cluster, compute with the pure
// modules (overview.ts, status-view.ts, forecast.ts, renew.ts), print a table or structured output.
import { readFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import { brandProfile, defaultConfig, type OperatorConfig, parseConfig } from '../config/operator-config.ts';
import { formatInstant, type Instant } from '../domain/time.ts';
import { SystemClock } from '../runtime/clock.ts';
import {
  type Cluster, CliError, annotateCertificate, connect, getCertificate, listCertificates, listEvents, listPackages,
} from './cluster-access.ts';
import { type ForecastRules, forecast, forecastRows, renderForecast } from './forecast.ts';
import type { CliOptions, OutputFormat } from './options.ts';
import { computeOverview, renderOverview } from './overview.ts';
import { expectRenewal, renderRenew, renewPatch, renewValue } from './renew.ts';
import { type KubeEvent, renderStatus, statusView } from './status-view.ts';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Structured output for -o json|yaml, else the table text. */
export function formatOutput(format: OutputFormat, data: unknown, table: () => string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
    case 'yaml':
      return dump(data, { lineWidth: -1, noRefs: true });
    case 'table':
      return table();
  }
}

/** The operator's issuer profiles (R-PROFILE) from its config file, or its defaults. */
export function loadRules(configPath: string | undefined): (brand: string) => ForecastRules {
  let config: OperatorConfig = defaultConfig('certhost-system');
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --config ${configPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const parsed = parseConfig(text, 'certhost-system');
    if (!parsed.ok) throw new CliError(`--config ${configPath}: ${parsed.message}`);
    config = parsed.config;
  }
  return (brand) => {
    const b = brandProfile(config, brand);
    return { profile: b.profile, creditsRequired: b.creditsRequired };
  };
}

export async function runCommand(opts: CliOptions, io: CliIo): Promise<void> {
  const now: Instant = opts.now ?? new SystemClock().now();
  const rules = loadRules(opts.config);
  const cluster = connect(opts);
  const scope = opts.allNamespaces ? null : cluster.namespace;
  switch (opts.command) {
    case 'overview': {
      const [certs, pkgs] = await Promise.all([listCertificates(cluster, scope), listPackages(cluster, scope)]);
      const o = computeOverview(certs, pkgs, now);
      io.out(formatOutput(opts.output, o, () => renderOverview(o)));
      return;
    }
    case 'status': {
      const name = requireName(opts);
      const cert = await getCertificate(cluster, cluster.namespace, name);
      const events = await eventsOrWarning(cluster, name, io);
      const v = statusView(cert, events, now);
      io.out(formatOutput(opts.output, v, () => renderStatus(v)));
      return;
    }
    case 'renew': {
      const name = requireName(opts);
      const cert = await getCertificate(cluster, cluster.namespace, name);
      const pkgs = await listPackages(cluster, cluster.namespace);
      const expectation = expectRenewal(cert, pkgs, now, rules(cert.spec.product?.brand ?? ''));
      // The annotation value only has to be new; the real time makes it unique even under a test clock.
      const value = renewValue(cert, new SystemClock().now());
      await annotateCertificate(cluster, cluster.namespace, name, renewPatch(value));
      const data = { certificate: name, namespace: cluster.namespace, annotation: 'certhost.io/renew', value, evaluatedAt: formatInstant(now), expected: expectation };
      io.out(formatOutput(opts.output, data, () => renderRenew(cert, value, expectation, now)));
      return;
    }
    case 'plan': {
      const [certs, pkgs] = await Promise.all([listCertificates(cluster, scope), listPackages(cluster, scope)]);
      const rows = forecastRows(forecast({ certificates: certs, packages: pkgs, now, days: opts.days, rulesFor: rules }));
      const data = { now: formatInstant(now), days: opts.days, events: rows };
      io.out(formatOutput(opts.output, data, () => renderForecast(rows, now, opts.days)));
      return;
    }
  }
}

function requireName(opts: CliOptions): string {
  if (opts.name === undefined) throw new CliError(`${opts.command} needs a certificate name`);
  return opts.name;
}

/** Events are a help, not the point: without permission to list them, status still answers. */
async function eventsOrWarning(cluster: Cluster, name: string, io: CliIo): Promise<KubeEvent[]> {
  try {
    return await listEvents(cluster, cluster.namespace, name);
  } catch (e) {
    io.err(`warning: ${e instanceof Error ? e.message : String(e)}\n`);
    return [];
  }
}
