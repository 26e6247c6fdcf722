// The DeploymentTarget reconciler (spec section 5): carries out the rollouts that Certificates
// authorised in their status (which serial goes to which target and domain) and reports each one in the
// target's status, which the Certificate reconciler mirrors. One write path per product type:
// Secret copies, Ingress spec.tls, SLB regions, CDN/WAF domains that exist and run.
import type { Certificate, CertificateDeploymentStatus } from '../api/certificate-types.ts';
import { ConditionType, Reason } from '../api/conditions.ts';
import type { DeploymentTarget, TargetDeploymentStatus } from '../api/deployment-target-types.ts';
import { Label, finalizer } from '../api/labels.ts';
import { setConditions, type DesiredCondition } from '../domain/conditions.ts';
import { formatInstant } from '../domain/time.ts';
import type { OperatorMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { type KubeClient, isConflict, resourcePath } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import {
  type IngressObject, type NamespaceObject, coveredHosts, deleteCopies, detachIngresses, listIngresses, namespaceAllows,
  pointIngressAt, restartWorkloads, rollbackCopy, writeCopy,
} from '../targets/target-writes.ts';
import { probeServedSerial, sameSerial } from '../targets/tls-probe.ts';
import { matchesSelector, selectorQuery } from './label-selector.ts';
import { stableJson } from './certificate-status.ts';
import { failpoint } from '../runtime/failpoint.ts';
import type { SecretObject } from './tls-secret.ts';

export interface DeploymentTargetDeps {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  metrics: OperatorMetrics;
  certificates: Informer<Certificate>;
  /** All namespaces (cluster-wide mode); null when the operator watches one namespace. */
  namespaces: (() => NamespaceObject[]) | null;
  /** R-VERIFY: how long (real time) a target may take to serve the new certificate before rollback. */
  verifyTimeoutMs: number;
}

type Entry = TargetDeploymentStatus;

const targetPath = (ns: string, name: string, sub?: string): string =>
  resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'deploymenttargets', namespace: ns, name, ...(sub ? { subresource: sub } : {}) });
const secretPath = (ns: string, name: string): string => resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: ns, name });

/** Failure messages start with their reason ("DomainNotFound: ..."); the condition carries it. */
function reasonOf(message: string | undefined): string {
  return /^([A-Z][A-Za-z]+):/.exec(message ?? '')?.[1] ?? Reason.DeploymentFailed;
}

/**
 * The name of a target's copy of a certificate in a namespace: a Secret target uses spec.secret.name,
 * else the certificate's own secretName in other namespaces; in the certificate's namespace (where
 * that name is taken by the certificate's own Secret) and for Ingress-style targets, <secretName>-<target>.
 */
export function copyName(t: DeploymentTarget, c: Certificate, namespace: string): string {
  if (t.spec.type === 'Secret') {
    if (t.spec.secret?.name) return t.spec.secret.name;
    if (namespace !== c.metadata.namespace) return c.spec.secretName;
  }
  return `${c.spec.secretName}-${t.metadata.name ?? ''}`.slice(0, 253);
}

export class DeploymentTargetReconciler {
  private readonly d: DeploymentTargetDeps;
  /** Real-time start of each (target, certificate, serial) rollout: verification deadline and duration metric. */
  private readonly started = new Map<string, number>();
  /** R-ROLLOUT-SAFE: a failed rollout is retried with backoff (real time). */
  private readonly failures = new Map<string, { count: number; retryAt: number }>();

  constructor(d: DeploymentTargetDeps) {
    this.d = d;
  }

  /** Certificates of a namespace that name this target. */
  certificatesFor(namespace: string, target: string): Certificate[] {
    return this.d.certificates.list(namespace).filter((c) => (c.spec.targets ?? []).some((t) => t.name === target));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const t = await this.d.client.get<DeploymentTarget>(targetPath(namespace, name));
    if (!t) return {};
    if (t.metadata.deletionTimestamp) return this.finalize(t);
    if (!(t.metadata.finalizers ?? []).includes(finalizer)) {
      // Only to undo writes outside the target's own objects; removed on deletion even when those are gone.
      await this.d.client.patch(targetPath(namespace, name), { metadata: { finalizers: [...(t.metadata.finalizers ?? []), finalizer], resourceVersion: t.metadata.resourceVersion } }).catch((e: unknown) => {
        if (!isConflict(e)) throw e;
      });
      return { requeueAfterMs: 0 };
    }
    const now = this.d.clock.now();
    const old = t.status?.deployments ?? [];
    const entries: Entry[] = [];
    let again: number | undefined;
    const certs = this.certificatesFor(namespace, name).filter((c) => !c.metadata.deletionTimestamp);
    for (const c of certs) {
      // Units the certificate authorised for this target (a keyless certificate's refusals are final).
      const authorised = (c.status?.deployments ?? []).filter((r) => r.target === name && r.serialNumber !== '' && r.state !== 'Skipped' && !r.message?.includes('R-CSR-NO-DEPLOY'));
      if (authorised.length === 0) continue;
      const result = await this.deployCertificate(t, c, authorised);
      entries.push(...result.entries);
      if (result.retryInMs !== undefined) again = Math.min(again ?? Infinity, result.retryInMs);
    }
    // Undeploy what certificates no longer ask for (removed from spec.targets, or deleted).
    const keep = new Set(certs.map((c) => c.metadata.name));
    for (const gone of new Set(old.map((e) => e.certificate).filter((n) => !keep.has(n)))) {
      await this.undeploy(t, gone, old.filter((e) => e.certificate === gone).map((e) => e.namespace ?? namespace));
      this.d.events.record(t, 'Normal', 'Undeployed', 'Undeploy', `Removed certificate ${gone} from this target.`);
    }
    // Keep an entry's time when nothing about it changed, so status does not churn.
    for (const e of entries) {
      const prev = old.find((o) => o.certificate === e.certificate && o.domain === e.domain && (o.namespace ?? '') === (e.namespace ?? '') && o.serialNumber === e.serialNumber && o.state === e.state);
      if (prev) {
        e.time = prev.time;
      } else if (e.state === 'Deployed' || e.state === 'Failed') {
        // Counted and announced when a deployment reaches its outcome, once (a replay finds it recorded).
        this.d.metrics.deploymentsTotal.inc({ type: t.spec.type, result: e.state === 'Deployed' ? 'success' : 'failure' });
        if (e.state === 'Deployed') this.d.events.record(t, 'Normal', Reason.Deployed, 'Deploy', `Deployed certificate ${e.certificate} serial ${e.serialNumber} for ${e.domain}${e.namespace ? ` in ${e.namespace}` : ''}.`);
      }
    }
    const failed = entries.filter((e) => e.state === 'Failed');
    const pending = entries.filter((e) => e.state !== 'Deployed' && e.state !== 'Failed' && e.state !== 'Skipped');
    const deployedCond: DesiredCondition = entries.length === 0
      ? { type: ConditionType.Deployed, status: 'False', reason: Reason.NoTargets, message: 'No certificate is deployed to this target yet.' }
      : failed.length > 0
        ? { type: ConditionType.Deployed, status: 'False', reason: reasonOf(failed[0]?.message), message: failed.map((f) => `${f.certificate} ${f.domain}${f.namespace ? ` (${f.namespace})` : ''}: ${f.message ?? 'failed'}`).join('; ').slice(0, 1024) }
        : pending.length > 0
          ? { type: ConditionType.Deployed, status: 'False', reason: Reason.DeploymentInProgress, message: `${pending.length} deployment(s) in progress.` }
          : { type: ConditionType.Deployed, status: 'True', reason: Reason.Deployed, message: `${entries.length} deployment(s) serve their certificate.` };
    const ready: DesiredCondition = failed.length > 0
      ? { type: ConditionType.Ready, status: 'False', reason: deployedCond.reason, message: deployedCond.message }
      : { type: ConditionType.Ready, status: 'True', reason: Reason.TargetReady, message: 'The target is usable.' };
    const status = {
      ...t.status,
      observedGeneration: t.metadata.generation ?? 0,
      deployments: entries,
      conditions: setConditions(t.status?.conditions ?? [], [ready, deployedCond], t.metadata.generation ?? 0, now),
    };
    if (stableJson(status) !== stableJson(t.status)) {
      try {
        await this.d.client.replace(targetPath(namespace, name, 'status'), { ...t, status });
      } catch (e) {
        if (isConflict(e)) return { requeueAfterMs: 50 };
        throw e;
      }
    }
    return again === undefined ? {} : { requeueAfterMs: again };
  }

  private allowed(ns: string, targetNs: string): boolean {
    if (ns === targetNs) return true;
    if (!this.d.namespaces) return false;
    return namespaceAllows(this.d.namespaces().find((n) => n.metadata.name === ns), targetNs);
  }

  private async deployCertificate(t: DeploymentTarget, c: Certificate, authorised: readonly CertificateDeploymentStatus[]): Promise<{ entries: Entry[]; retryInMs?: number }> {
    const ns = t.metadata.namespace ?? '';
    const tName = t.metadata.name ?? '';
    const cName = c.metadata.name ?? '';
    const serial = authorised[0]?.serialNumber ?? '';
    const at = formatInstant(this.d.clock.now());
    const entry = (domain: string, state: Entry['state'], message?: string, namespace = ns): Entry => ({
      certificate: cName, domain, namespace, serialNumber: serial, state, time: at, ...(message === undefined ? {} : { message: message.slice(0, 1024) }),
    });
    const rolloutKey = `${ns}/${tName}/${cName}/${serial}`;
    const failure = this.failures.get(rolloutKey);
    if (failure && performance.now() < failure.retryAt) {
      // Backing off after a failed rollout: the old certificate stays in place (R-ROLLOUT-SAFE).
      const prev = (t.status?.deployments ?? []).filter((e) => e.certificate === cName && e.serialNumber === serial);
      return { entries: prev.length > 0 ? prev : authorised.map((a) => entry(a.domain, 'Failed', 'Retrying after a failed rollout.')), retryInMs: failure.retryAt - performance.now() };
    }
    const source = await this.d.client.get<SecretObject>(secretPath(ns, c.spec.secretName));
    if (!source || source.metadata.labels?.[Label.serial] !== serial || !source.data?.['tls.crt']) {
      // The authorised serial is not (or no longer) in the certificate's Secret (a renewal not deployed
      // here yet): what the target already serves stays as it is and is reported as it was.
      const kept = (t.status?.deployments ?? []).filter((e) => e.certificate === cName && e.serialNumber === serial);
      return { entries: kept.length > 0 ? kept : authorised.map((a) => entry(a.domain, 'Pending', `Waiting for the certificate's Secret to hold serial ${serial}.`)) };
    }
    const data: Record<string, string> = { 'tls.crt': source.data['tls.crt'] };
    if (source.data['tls.key']) data['tls.key'] = source.data['tls.key'];
    if (source.data['ca.crt']) data['ca.crt'] = source.data['ca.crt'];
    if (!this.started.has(rolloutKey)) this.started.set(rolloutKey, performance.now());
    const name = copyName(t, c, ns);
    const copy = async (namespace: string): Promise<Awaited<ReturnType<typeof writeCopy>>> => {
      const r = await writeCopy(this.d.client, {
        namespace, name: copyName(t, c, namespace), certificate: cName, certificateNamespace: ns, target: tName, serial, data, keepPrevious: t.spec.verify !== undefined,
      });
      if (r.ok && r.changed) failpoint('target-copy-written');
      return r;
    };
    const entries: Entry[] = [];
    const written: string[] = [];
    const cn = c.spec.domains[0] ?? '';
    const restartIn = async (namespace: string): Promise<void> => {
      if (!t.spec.restartWorkloads) return;
      const restarted = await restartWorkloads(this.d.client, namespace, selectorQuery(t.spec.restartWorkloads.selector) ?? '', serial, at);
      if (restarted.length > 0) this.d.events.record(t, 'Normal', 'WorkloadsRestarted', 'Restart', `Restarted ${restarted.join(', ')} in ${namespace} for certificate ${cName} serial ${serial}.`);
    };

    switch (t.spec.type) {
      case 'Secret': {
        for (const n of t.spec.secret?.namespaces ?? [ns]) {
          if (!this.allowed(n, ns)) {
            entries.push(entry(cn, 'Failed', `${Reason.NamespaceNotAllowed}: namespace ${n} does not allow certificates from ${ns}; annotate it with certhost.io/allow-targets-from (R-TENANCY).`, n));
            continue;
          }
          const r = await copy(n);
          if (!r.ok) entries.push(entry(cn, 'Failed', `${r.reason}: ${r.message}`, n));
          else {
            entries.push(entry(cn, 'Deployed', undefined, n));
            if (r.changed) {
              written.push(n);
              await restartIn(n);
            }
          }
        }
        break;
      }
      case 'Ingress':
      case 'SLB': {
        const regions = t.spec.type === 'Ingress' ? [ns] : this.regions(t);
        if (regions.length === 0) entries.push(entry(cn, 'Deployed', 'No region namespace matches regions.namespaceSelector.'));
        for (const n of regions) {
          if (!this.allowed(n, ns)) {
            entries.push(entry(cn, 'Failed', `${Reason.NamespaceNotAllowed}: region namespace ${n} does not allow certificates from ${ns}; annotate it with certhost.io/allow-targets-from (R-TENANCY).`, n));
            continue;
          }
          const r = await copy(n);
          if (!r.ok) {
            entries.push(entry(cn, 'Failed', `${r.reason}: ${r.message}`, n));
            continue;
          }
          if (r.changed) written.push(n);
          // The Secret exists before any listener points at it (R-ROLLOUT-SAFE).
          const listeners = (await listIngresses(this.d.client, n)).filter((i) => this.selects(t, i));
          const problems: string[] = [];
          let pointed = 0;
          for (const ing of listeners) {
            const hosts = coveredHosts(ing, c.spec.domains);
            if (hosts.length === 0) continue;
            const p = await pointIngressAt(this.d.client, ing, name, hosts);
            if (!p.ok) problems.push(`${p.reason}: ${p.message}`);
            else pointed += 1;
          }
          if (r.changed) await restartIn(n);
          // R-TARGET-SLB: a region with no listener is still a success.
          entries.push(problems.length > 0 ? entry(cn, 'Failed', problems.join(' '), n) : entry(cn, 'Deployed', `${pointed} listener(s) use it.`, n));
        }
        break;
      }
      case 'CDN':
      case 'WAF': {
        const reason = t.spec.type === 'CDN' ? Reason.DomainNotFound : Reason.DomainNotOnboarded;
        const ingresses = (await listIngresses(this.d.client, ns)).filter((i) => this.selects(t, i));
        // The running domains, grouped by the Ingress that serves them: one TLS entry per Ingress lists all
        // of its domains, written once (one write per domain would replace the entry each time).
        const byIngress = new Map<string, { ing: IngressObject; domains: string[] }>();
        for (const a of authorised) {
          const ing = ingresses.find((i) => (i.spec?.rules ?? []).some((r) => r.host === a.domain));
          if (!ing) {
            entries.push(entry(a.domain, 'Failed', `${reason}: ${a.domain} is not on this ${t.spec.type} (no Ingress of class ${t.spec.ingress?.className ?? '?'} serves it); nothing was changed (R-TARGET-CDN).`));
            continue;
          }
          if ((ing.status?.loadBalancer?.ingress ?? []).length === 0) {
            entries.push(entry(a.domain, 'Failed', `${reason}: ${a.domain} is on this ${t.spec.type} but not running (Ingress ${ing.metadata.name} has no load balancer address yet); nothing was changed (R-TARGET-CDN).`));
            continue;
          }
          const group = byIngress.get(ing.metadata.name) ?? { ing, domains: [] };
          group.domains.push(a.domain);
          byIngress.set(ing.metadata.name, group);
        }
        if (byIngress.size > 0) {
          const r = await copy(ns);
          if (r.ok && r.changed) written.push(ns);
          for (const { ing, domains } of byIngress.values()) {
            const p = r.ok ? await pointIngressAt(this.d.client, ing, name, domains) : r;
            for (const domain of domains) entries.push(p.ok ? entry(domain, 'Deployed') : entry(domain, 'Failed', `${p.reason}: ${p.message}`));
          }
        }
        if (written.length > 0) await restartIn(ns);
        break;
      }
      default: {
        const unknown: never = t.spec.type;
        throw new Error(`unknown target type ${String(unknown)}`);
      }
    }

    // R-VERIFY: complete only when the address serves the new serial for every domain.
    if (t.spec.verify && entries.some((e) => e.state === 'Deployed')) {
      const port = t.spec.verify.port ?? 443;
      const domains = [...new Set(entries.filter((e) => e.state === 'Deployed').map((e) => e.domain))];
      const wrong: string[] = [];
      for (const domain of domains) {
        const probe = await probeServedSerial(t.spec.verify.address, port, domain);
        if (!probe.ok) wrong.push(probe.message);
        else if (!sameSerial(probe.serial, serial)) wrong.push(`${domain} is served with serial ${probe.serial}, not ${serial}.`);
      }
      if (wrong.length > 0) {
        const elapsed = performance.now() - (this.started.get(rolloutKey) ?? performance.now());
        if (elapsed < this.d.verifyTimeoutMs) {
          return { entries: entries.map((e) => (e.state === 'Deployed' ? { ...e, state: 'Verifying' as const, message: wrong.join(' ').slice(0, 1024) } : e)), retryInMs: 500 };
        }
        // Roll back to what was served before, while it is still valid, and back off.
        const restored: string[] = [];
        for (const n of new Set(entries.map((e) => e.namespace ?? ns))) {
          const prev = await rollbackCopy(this.d.client, n, copyName(t, c, n));
          if (prev) restored.push(prev);
        }
        const f = this.failures.get(rolloutKey) ?? { count: 0, retryAt: 0 };
        f.count += 1;
        f.retryAt = performance.now() + Math.min(3600_000, 30_000 * 2 ** (f.count - 1));
        this.failures.set(rolloutKey, f);
        this.started.delete(rolloutKey);
        const msg = `${Reason.VerificationFailed}: ${wrong.join(' ')} ${restored.length > 0 ? `Rolled back to serial ${restored[0]}.` : 'There was no previous certificate to roll back to.'}`;
        this.d.events.record(t, 'Warning', Reason.VerificationFailed, 'Verify', `${cName}: ${msg}`.slice(0, 1024));
        return { entries: entries.map((e) => (e.state === 'Deployed' ? { ...e, state: 'Failed' as const, message: msg.slice(0, 1024) } : e)), retryInMs: f.retryAt - performance.now() };
      }
    }
    if (entries.every((e) => e.state === 'Deployed')) {
      const began = this.started.get(rolloutKey);
      if (began !== undefined && written.length > 0) this.d.metrics.rolloutDuration.observe((performance.now() - began) / 1000);
      this.started.delete(rolloutKey);
      this.failures.delete(rolloutKey);
    }
    return { entries };
  }

  private regions(t: DeploymentTarget): string[] {
    const sel = t.spec.regions?.namespaceSelector;
    if (!sel) return [];
    if (!this.d.namespaces) return [t.metadata.namespace ?? ''].filter((n) => n !== '');
    return this.d.namespaces().filter((n) => matchesSelector(sel, n.metadata.labels)).map((n) => n.metadata.name).sort();
  }

  private selects(t: DeploymentTarget, ing: IngressObject): boolean {
    const cls = t.spec.ingress?.className;
    if (cls && ing.spec?.ingressClassName !== cls) return false;
    return matchesSelector(t.spec.ingress?.selector, ing.metadata.labels);
  }

  /** Removes one certificate from a target: Ingress entries first, then the copies (R-ROLLOUT-SAFE). */
  private async undeploy(t: DeploymentTarget, certificate: string, namespaces: readonly string[]): Promise<void> {
    const ns = t.metadata.namespace ?? '';
    const sel = { certificate, certificateNamespace: ns, target: t.metadata.name ?? '' };
    for (const n of new Set([ns, ...namespaces])) {
      const copies = await this.d.client.list<SecretObject>(resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: n }), {
        labelSelector: `${Label.managedBy}=certhost,${Label.deploymentTarget}=${sel.target},${Label.certificateNamespace}=${ns},${Label.certificate}=${certificate}`,
      }).catch(() => ({ items: [] as SecretObject[] }));
      for (const s of copies.items) await detachIngresses(this.d.client, n, s.metadata.name);
      await deleteCopies(this.d.client, sel, [n]);
    }
  }

  /** Deletion never hangs: undo what can be undone, then let go. */
  private async finalize(t: DeploymentTarget): Promise<ReconcileResult> {
    const entries = t.status?.deployments ?? [];
    for (const c of new Set(entries.map((e) => e.certificate))) {
      try {
        await this.undeploy(t, c, entries.filter((e) => e.certificate === c).map((e) => e.namespace ?? ''));
      } catch (e) {
        this.d.log.warn('cleanup of a deleted target failed; letting go', { target: t.metadata.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    const rest = (t.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.d.client.patch(targetPath(t.metadata.namespace ?? '', t.metadata.name ?? ''), { metadata: { finalizers: rest.length > 0 ? rest : null, resourceVersion: t.metadata.resourceVersion } }).catch((e: unknown) => {
      if (!isConflict(e)) throw e;
    });
    return {};
  }
}
