// The Certificate reconciler (spec sections 2, 3 and 7 for one certificate): observe, ask
// src/domain/certificate-plan.ts for the next step, carry it out and persist its result, until the
// plan settles; then write the derived status (only if it changed) and sleep until the next transition.
import type { Certificate, CertificateDeploymentStatus, CertificateStatus, HistoryEntry } from '../api/certificate-types.ts';
import type { DeploymentTarget } from '../api/deployment-target-types.ts';
import { type ObservedUnit, type TargetFacts, type UnitRecord, planRollout } from '../domain/rollout-plan.ts';
import type { DeploymentUnit } from '../domain/deployment-credits.ts';
import { deploymentCharge } from '../domain/deployment-credits.ts';
import { DEPLOYMENT_CREDITS_PER_ACTIVATION } from '../domain/credit-costs.ts';
import { ledgerKey } from '../domain/credit-ledger.ts';
import { maxHistoryEntries } from '../api/certificate-types.ts';
import { ConditionType, Reason } from '../api/conditions.ts';
import { Annotation } from '../api/labels.ts';
import type { BrandRules } from '../domain/brand-rules.ts';
import { type CertificateObservation, type Step, issuanceValidity, issueStepFor, planCertificate } from '../domain/certificate-plan.ts';
import type { DesiredCondition } from '../domain/conditions.ts';
import { certificateNextTransition } from '../domain/next-transition.ts';
import { reminderDecision } from '../domain/reminders.ts';
import { reviewStep } from '../domain/review-schedule.ts';
import { rolloverPending, servicePeriodEnd } from '../domain/successor-plan.ts';
import { calendarYear, formatInstant, parseInstant } from '../domain/time.ts';
import { validationRecords } from '../domain/validation-records.ts';
import type { OperatorConfig } from '../config/operator-config.ts';
import { brandProfile } from '../config/operator-config.ts';
import type { Issuer } from '../issuers/issuer.ts';
import { generateKeyPair, keySpecFor } from '../issuers/builtin/keys.ts';
import { decodePem } from '../issuers/builtin/pem.ts';
import { readPrivateKey } from '../issuers/builtin/keys.ts';
import { parseUploadedCertificate } from '../issuers/builtin/uploaded-certificate.ts';
import { checkCsr } from '../issuers/builtin/csr.ts';
import type { OperatorMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { type KubeClient, isAlreadyExists, isConflict, resourcePath } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { CaStore } from './ca-store.ts';
import { applicationRecord, applicationStatus, currentRecord, deriveStatus, statusPatch, successorRecords } from './certificate-status.ts';
import type { CreditStore } from './credit-store.ts';
import { buildTlsSecret, readTlsSecret, secretOwnership, type SecretObject, type TlsSecretContent } from './tls-secret.ts';
import { checkValidation } from './validation-checker.ts';
import { sendReminderWebhook } from './reminder-webhook.ts';
import { failpoint } from '../runtime/failpoint.ts';

export interface CertificateControllerDeps {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  metrics: OperatorMetrics;
  config: OperatorConfig;
  ca: CaStore;
  issuer: Issuer;
  credits: CreditStore;
  certificates: Informer<Certificate>;
  targets: Informer<DeploymentTarget>;
  /** Deployment credits available in the Deployment packages of a namespace. */
  deploymentCreditsAvailable: (namespace: string) => number;
}

/** A status write lost a race: start the reconcile over from fresh data. */
class Restart extends Error {}

/** The issuer refused; status says why. Retry after a while, or (no delay) only after a spec change. */
class Blocked extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(retryAfterMs?: number) {
    super('blocked');
    this.retryAfterMs = retryAfterMs;
  }
}

const MAX_STEPS = 16;

export function certificatePath(namespace: string, name?: string, status = false): string {
  return resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'certificates', namespace, ...(name ? { name } : {}), ...(status ? { subresource: 'status' } : {}) });
}

function secretPath(namespace: string, name?: string): string {
  return resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace, ...(name ? { name } : {}) });
}

/** R-PROFILE: the service year recorded on a Secret written before a crash. */
function adoptedYear(annotation: string | undefined): { serviceYearEnd?: number } {
  const at = parseInstant(annotation ?? '');
  return at === null ? {} : { serviceYearEnd: at };
}

export class CertificateReconciler {
  private readonly d: CertificateControllerDeps;
  /** Real-time start of each submitted application, for the issuance histogram. */
  private readonly submittedAt = new Map<string, number>();
  /**
   * The certificate's Secret as this reconcile pass last read or wrote it (keyed by namespace/name),
   * so the steps of one pass do not read it again; dropped when the pass ends.
   */
  private readonly passSecrets = new Map<string, SecretObject | null>();

  /** resourceVersion of the Secret each certificate last wrote: its own write needs no second look. */
  private readonly writtenSecrets = new Map<string, string>();

  /** True when this Secret event is the echo of the reconciler's own write. */
  isOwnSecretWrite(namespace: string, name: string, resourceVersion: string | undefined): boolean {
    return resourceVersion !== undefined && this.writtenSecrets.get(`${namespace}/${name}`) === resourceVersion;
  }

  private rememberSecret(s: SecretObject): SecretObject {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    if (s.metadata.resourceVersion) this.writtenSecrets.set(key, s.metadata.resourceVersion);
    if (this.writtenSecrets.size > 100_000) this.writtenSecrets.delete(this.writtenSecrets.keys().next().value as string);
    return s;
  }

  private passKey(cert: Certificate): string {
    return `${cert.metadata.namespace}/${cert.metadata.name}/${cert.spec.secretName}`;
  }

  private async secretFor(cert: Certificate): Promise<SecretObject | null> {
    const key = this.passKey(cert);
    const cached = this.passSecrets.get(key);
    if (cached !== undefined) return cached;
    const s = await this.d.client.get<SecretObject>(secretPath(cert.metadata.namespace ?? '', cert.spec.secretName));
    this.passSecrets.set(key, s);
    return s;
  }

  constructor(deps: CertificateControllerDeps) {
    this.d = deps;
  }

  rulesFor(brand: string): BrandRules {
    const b = brandProfile(this.d.config, brand);
    return { profile: b.profile, validation: b.validation, creditsRequired: b.creditsRequired, reviewTimeout: this.d.config.reviewTimeout };
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.reconcileOnce(namespace, name);
      } catch (e) {
        if (e instanceof Blocked) return e.retryAfterMs === undefined ? {} : { requeueAfterMs: e.retryAfterMs };
        if (!(e instanceof Restart)) throw e;
      } finally {
        for (const k of [...this.passSecrets.keys()]) if (k.startsWith(`${namespace}/${name}/`)) this.passSecrets.delete(k);
      }
    }
    return { requeueAfterMs: 200 };
  }

  private async reconcileOnce(namespace: string, name: string): Promise<ReconcileResult> {
    // Live read, not the cache: a stale cache could make a replay look like new work.
    let cert = await this.d.client.get<Certificate>(certificatePath(namespace, name));
    if (!cert || cert.metadata.deletionTimestamp) return {};
    const log = this.d.log.with({ controller: 'certificate', namespace, name });
    if ((cert.spec.source ?? 'Issue') === 'Upload') return this.reconcileUpload(cert, log);
    const conditions: DesiredCondition[] = [];
    const product = cert.spec.product;
    if (!product) {
      conditions.push({ type: ConditionType.Ready, status: 'False', reason: Reason.InvalidSpec, message: 'spec.product is required to issue a certificate; set brand, type, domainType and grade.' });
      return this.settle(cert, conditions, null);
    }
    const rules = this.rulesFor(product.brand);
    for (let i = 0; i < MAX_STEPS; i++) {
      const obs = await this.observe(cert, rules);
      const step = planCertificate(obs);
      log.debug('step', { step: step.kind, revision: cert.status?.revision ?? 0 });
      switch (step.kind) {
        case 'settle':
          return this.settle(cert, conditions, step.nextAt, obs);
        case 'invalid': {
          conditions.push({ type: ConditionType.Ready, status: 'False', reason: step.reason, message: step.message });
          if (cert.status?.conditions?.find((c) => c.type === ConditionType.Ready)?.message !== step.message) {
            this.d.events.record(cert, 'Warning', step.reason, 'Validate', step.message);
          }
          const settled = await this.settle(cert, conditions, null, obs);
          // A missing CSR Secret is not watched (no operator label): look again in a minute.
          return step.reason === Reason.CSRNotFound ? { ...settled, requeueAfterMs: 60_000 } : settled;
        }
        case 'conflict':
          conditions.push({ type: ConditionType.Ready, status: 'False', reason: Reason.SecretConflict, message: step.message });
          this.d.events.record(cert, 'Warning', Reason.SecretConflict, 'WriteSecret', step.message);
          return this.settle(cert, conditions, null, obs);
        default: {
          const next = await this.execute(cert, obs, step, conditions, log);
          // A step that cannot go on (credits missing) ends the pass on the status it just wrote.
          if ('stop' in next) return this.settle(next.stop, conditions, null, obs);
          cert = next;
        }
      }
    }
    log.warn('reconcile did not settle; continuing later', {});
    return { requeueAfterMs: 1000 };
  }

  /** What the planner needs: status records, the Secret, free-quota rank, the CA. */
  private async observe(cert: Certificate, rules: BrandRules): Promise<CertificateObservation> {
    const ns = cert.metadata.namespace ?? '';
    const name = cert.metadata.name ?? '';
    const uid = cert.metadata.uid ?? '';
    const st = cert.status;
    const secret = await this.secretFor(cert);
    let secretObs: CertificateObservation['secret'] = { state: 'missing' };
    if (secret) {
      const own = secretOwnership(secret, { name, namespace: ns, uid });
      if (own.state === 'foreign') secretObs = own;
      else {
        const read = readTlsSecret(secret, cert.spec.domains);
        secretObs = { state: 'ours', revision: read.revision, serial: read.serial, usable: read.usable };
      }
    }
    const product = cert.spec.product;
    if (!product) throw new Error('product checked before');
    const current = currentRecord(st);
    const application = applicationRecord(st);
    const renewRequest = cert.metadata.annotations?.[Annotation.renew];
    return {
      now: this.d.clock.now(), uid, name, generation: cert.metadata.generation ?? 0,
      spec: {
        domains: cert.spec.domains, product, method: cert.spec.validation?.method ?? 'DNS',
        hostingEnabled: cert.spec.hosting?.enabled ?? false, servicePeriodYears: cert.spec.hosting?.servicePeriodYears ?? 1,
        revoke: cert.spec.revoke ?? false,
        ...(renewRequest === undefined ? {} : { renewRequest }),
      },
      rules,
      status: {
        ...(current ? { current } : {}),
        ...(application ? { application } : {}),
        successors: successorRecords(st),
        ...(st?.servicePeriod?.firstRevision === undefined ? {} : { servicePeriodFirstRevision: st.servicePeriod.firstRevision }),
        revoked: st?.revokedAt !== undefined,
        ...(st?.lastRenewRequest === undefined ? {} : { lastRenewRequest: st.lastRenewRequest }),
      },
      secret: secretObs,
      ...(cert.spec.csr ? await this.csrProblem(cert) : {}),
      freeSlot: product.grade === 'free' ? this.hasFreeSlot(cert) : true,
      bestIssuerNotAfter: this.d.ca.bestNotAfter(product.brand),
    };
  }

  /** R-KEY manual CSR: checked before anything is spent, so a bad CSR costs no credit. */
  private async csrProblem(cert: Certificate): Promise<{ csrProblem?: { reason: string; message: string } }> {
    const ref = cert.spec.csr?.secretRef.name ?? '';
    const s = await this.d.client.get<SecretObject>(secretPath(cert.metadata.namespace ?? '', ref));
    const pem = s?.data?.['tls.csr'] ? Buffer.from(s.data['tls.csr'], 'base64').toString('utf8') : null;
    if (!pem) return { csrProblem: { reason: Reason.CSRNotFound, message: `The CSR Secret ${ref} with key tls.csr was not found; create it with the PEM certificate request.` } };
    const checked = await checkCsr(pem, cert.spec.domains);
    return checked.ok ? {} : { csrProblem: { reason: checked.reason, message: checked.message } };
  }

  /**
   * R-FREE-QUOTA: free certificates of a namespace and calendar year are ranked by creation (then name);
   * the first `freeQuotaPerYear` hold a slot. Deleting one frees its slot for the next in line; no
   * counter to race on.
   */
  private hasFreeSlot(cert: Certificate): boolean {
    const year = calendarYear(parseInstant(cert.metadata.creationTimestamp ?? '') ?? this.d.clock.now());
    const ns = cert.metadata.namespace;
    const free = this.d.certificates.list(ns)
      .filter((c) => c.spec.product?.grade === 'free' && (c.spec.source ?? 'Issue') === 'Issue')
      .filter((c) => calendarYear(parseInstant(c.metadata.creationTimestamp ?? '') ?? 0) === year);
    if (!free.some((c) => c.metadata.uid === cert.metadata.uid)) free.push(cert);
    free.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const rank = free.findIndex((c) => c.metadata.uid === cert.metadata.uid);
    return rank < this.d.config.freeQuotaPerYear;
  }

  /**
   * Writes status (guarded by resourceVersion) with the conditions decided so far in this pass, so a
   * reader never sees a step's result without its condition; returns the updated object.
   */
  private async writeStatus(cert: Certificate, status: CertificateStatus, conditions: readonly DesiredCondition[] = [], autoDeploy = cert.status?.state === 'AutoDeploy'): Promise<Certificate> {
    // Every write carries the whole derived picture (state, conditions, renewal time), so no reader
    // ever sees a record without the state it implies.
    const rules = this.rulesFor(cert.spec.product?.brand ?? '');
    const derived = deriveStatus({ cert, status, rules, now: this.d.clock.now(), conditions: [...conditions], autoDeploy });
    const patch = statusPatch(cert.status, derived);
    if (!patch) return cert;
    this.d.log.debug('status write', { namespace: cert.metadata.namespace, name: cert.metadata.name, fields: Object.keys(patch) });
    try {
      return await this.d.client.patch<Certificate>(certificatePath(cert.metadata.namespace ?? '', cert.metadata.name, true), {
        metadata: { resourceVersion: cert.metadata.resourceVersion }, status: patch,
      });
    } catch (e) {
      if (isConflict(e)) throw new Restart();
      throw e;
    }
  }

  private async execute(cert: Certificate, obs: CertificateObservation, step: Exclude<Step, { kind: 'settle' | 'invalid' | 'conflict' }>, conditions: DesiredCondition[], log: ReturnType<Logger['with']>): Promise<Certificate | { stop: Certificate }> {
    const ns = cert.metadata.namespace ?? '';
    const st: CertificateStatus = { ...cert.status };
    const now = obs.now;
    switch (step.kind) {
      case 'revoke': {
        await this.d.credits.release(ns, step.release, now);
        st.revokedAt = formatInstant(now);
        delete st.successors;
        delete st.application;
        this.d.events.record(cert, 'Normal', Reason.Revoked, 'Revoke', step.refund ? 'The certificate was revoked within 30 days of issue; its certificate credit was returned (R-REFUND).' : 'The certificate was revoked.');
        return this.writeStatus(cert, st, conditions);
      }
      case 'adopt': {
        const secret = await this.secretFor(cert);
        if (!secret) throw new Restart();
        const read = readTlsSecret(secret, cert.spec.domains);
        if (!read.leaf) throw new Restart();
        this.recordIssued(st, cert, obs, step.revision, {
          serialNumber: read.leaf.serialNumber, fingerprintSHA256: read.leaf.fingerprintSHA256, notBefore: read.leaf.notBefore.getTime(),
          notAfter: read.leaf.notAfter.getTime(), issuer: read.leaf.issuerCommonName ?? '', keyAlgorithm: read.leaf.keyAlgorithm,
          requestedNotAfter: parseInstant(secret.metadata.annotations?.[Annotation.requestedNotAfter] ?? '') ?? read.leaf.notAfter.getTime(),
          ...adoptedYear(secret.metadata.annotations?.[Annotation.serviceYearEnd]),
          hostedRenewal: st.application?.revision === step.revision && st.application.hostedRenewal === true,
        });
        log.info('adopted the certificate found in the Secret', { revision: step.revision });
        this.d.events.record(cert, 'Normal', Reason.Issued, 'Issue', `Issued revision ${step.revision}, serial ${read.leaf.serialNumber} (recorded from the Secret written before a restart).`);
        return this.writeStatus(cert, st, conditions);
      }
      case 'apply': {
        const result = await this.d.credits.acquire(ns, cert.spec.hosting?.packageSelector, step.needs, step.commit, now);
        failpoint('after-credits');
        if (step.renewRequest !== undefined) {
          st.lastRenewRequest = step.renewRequest;
          conditions.push({ type: ConditionType.RenewalAllowed, status: 'True', reason: Reason.RenewalRequested, message: `Renewal requested (${step.renewRequest}) was accepted as revision ${step.application.revision}${result.ok ? '' : '; it waits for credits'}.` });
        }
        if (!result.ok) {
          st.application = applicationStatus({ ...step.application, state: 'Pending' }, result.message);
          const reason = result.missing[0]?.kind === 'hosting' ? Reason.InsufficientHostingCredits : Reason.InsufficientCertificateCredits;
          conditions.push({ type: ConditionType.QuotaAvailable, status: 'False', reason, message: result.message });
          if (cert.status?.application?.message !== result.message) this.d.events.record(cert, 'Warning', reason, 'Apply', result.message);
          return { stop: await this.writeStatus(cert, st, conditions) };
        }
        conditions.push({ type: ConditionType.QuotaAvailable, status: 'True', reason: Reason.CreditsAvailable, message: 'The credits this application needs were taken.' });
        st.application = applicationStatus({ ...step.application, state: 'Submitted', submittedAt: now });
        if (step.fromSuccessor !== undefined) st.successors = (st.successors ?? []).filter((s) => s.revision !== step.fromSuccessor);
        if (step.successors.length > 0) {
          st.successors = step.successors.map((revision) => ({ revision, state: 'Inactive' as const }));
          // R-DEPLOY-CREDITS: a hosting activation grants 5 deployment credits.
          st.deploymentCredits = { granted: (st.deploymentCredits?.granted ?? 0) + DEPLOYMENT_CREDITS_PER_ACTIVATION, used: st.deploymentCredits?.used ?? 0 };
        }
        if (step.fromSuccessor !== undefined) st.application = { ...st.application, hostedRenewal: true } as NonNullable<CertificateStatus['application']>;
        this.submittedAt.set(`${cert.metadata.uid}/${step.application.revision}`, performance.now());
        if (step.renewRequest !== undefined) {
          this.d.events.record(cert, 'Normal', Reason.RenewalRequested, 'Renew', `Manual renewal accepted as revision ${step.application.revision} (R-MANUAL).`);
        }
        if (obs.rules.validation === 'none') {
          // Nothing to review: issue now and write status once. A crash before the Secret is written
          // replays the application, whose credits are found held (R-CONSUME); after it, the Secret is adopted.
          return this.issue(cert, obs, issueStepFor(obs, step.application), st, log, conditions);
        }
        return this.writeStatus(cert, st, conditions);
      }
      case 'wait-quota': {
        const message = `This year's free certificate quota (${this.d.config.freeQuotaPerYear}) is used by older free certificates in this namespace; delete one or buy a paid certificate (R-FREE-QUOTA).`;
        st.application = applicationStatus(step.application, message);
        conditions.push({ type: ConditionType.QuotaAvailable, status: 'False', reason: Reason.FreeQuotaExhausted, message });
        return { stop: await this.writeStatus(cert, st, conditions) };
      }
      case 'check-validation': {
        const app = applicationRecord(st);
        if (!app) throw new Restart();
        const records = validationRecords(cert.spec.domains, cert.spec.validation?.method ?? 'DNS', cert.metadata.uid ?? '');
        const outcome = await checkValidation(records, { nameserver: this.d.config.nameserver, httpPort: this.d.config.httpValidationPort });
        if (outcome.passed) {
          return this.issue(cert, obs, issueStepFor(obs, app), st, log, conditions);
        }
        const next = reviewStep(app.submittedAt ?? now, now, obs.rules.reviewTimeout);
        const message = `Validation pending: ${outcome.pending.map((p) => p.message).join(' ')}${next.kind === 'check' ? ` Next check at ${formatInstant(next.nextCheckAt)}.` : ''}`;
        st.application = applicationStatus({ ...app, lastCheckAt: now }, message.slice(0, 1000));
        return this.writeStatus(cert, st, conditions);
      }
      case 'issue':
        return this.issue(cert, obs, step, st, log, conditions);
      case 'reject': {
        await this.d.credits.release(ns, step.release, now);
        const app = applicationRecord(st);
        if (!app) throw new Restart();
        st.application = applicationStatus({ ...app, state: 'Rejected' }, step.message);
        this.d.events.record(cert, 'Warning', Reason.ReviewTimedOut, 'Review', step.message);
        return this.writeStatus(cert, st, conditions);
      }
      case 'queue-successors': {
        const result = await this.d.credits.acquire(ns, cert.spec.hosting?.packageSelector, step.needs, [], now);
        failpoint('after-successor-credits');
        if (!result.ok) {
          const message = `Hosting cannot be extended: ${result.message}`;
          conditions.push({ type: ConditionType.QuotaAvailable, status: 'False', reason: Reason.InsufficientHostingCredits, message });
          this.d.events.record(cert, 'Warning', Reason.InsufficientHostingCredits, 'Host', message);
          return { stop: cert };
        }
        if ((st.successors?.length ?? 0) === 0) {
          // R-HOSTING-LATER: hosting an issued certificate is an activation: 5 deployment credits.
          st.deploymentCredits = { granted: (st.deploymentCredits?.granted ?? 0) + DEPLOYMENT_CREDITS_PER_ACTIVATION, used: st.deploymentCredits?.used ?? 0 };
        }
        st.successors = [...(st.successors ?? []), ...step.create.map((revision) => ({ revision, state: 'Inactive' as const }))];
        if (!st.servicePeriod && obs.status.current) {
          st.servicePeriod = { start: formatInstant(obs.status.current.notBefore), end: '', firstRevision: obs.status.current.revision, years: 1 };
        }
        this.d.events.record(cert, 'Normal', Reason.SuccessorQueued, 'Host', `Queued ${step.create.length} Inactive successor(s) (revisions ${step.create.join(', ')}); credits reserved (R-YEARS).`);
        return this.writeStatus(cert, this.withServicePeriod(st, obs), conditions);
      }
      case 'cancel-successors': {
        await this.d.credits.release(ns, step.release, now);
        failpoint('after-cancel-release');
        st.successors = (st.successors ?? []).filter((s) => !step.cancel.includes(s.revision));
        this.d.events.record(cert, 'Normal', Reason.SuccessorCancelled, 'Host', `Cancelled Inactive successor(s) ${step.cancel.join(', ')}; their certificate and hosting credits were returned (R-CANCEL).`);
        return this.writeStatus(cert, this.withServicePeriod(st, obs), conditions);
      }
      case 'refuse-renewal': {
        st.lastRenewRequest = step.request;
        conditions.push({ type: ConditionType.RenewalAllowed, status: 'False', reason: step.reason, message: step.message });
        this.d.events.record(cert, 'Warning', Reason.RenewalNotAllowed, 'Renew', step.message);
        return this.writeStatus(cert, st, conditions);
      }
      default: {
        const unknown: never = step;
        throw new Error(`unhandled step ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Issues (or re-issues) a revision: key, validity, CA, Secret, then status. */
  private async issue(cert: Certificate, obs: CertificateObservation, step: Extract<Step, { kind: 'issue' }>, st: CertificateStatus, log: ReturnType<Logger['with']>, conditions: readonly DesiredCondition[] = []): Promise<Certificate> {
    const ns = cert.metadata.namespace ?? '';
    const product = obs.spec.product;
    const rules = obs.rules;
    const requested = issuanceValidity(rules.profile, step);
    await this.d.ca.ensureBrand(product.brand, rules.profile.maxValidity);

    // R-KEY: a new key per revision by default; `Never` reuses the key in the Secret; a CSR keeps the key with the user.
    const existing = await this.secretFor(cert);
    let privateKeyPem: string | undefined;
    let key: { kind: 'publicKey'; publicKeyPem: string } | { kind: 'csr'; csrPem: string };
    if (cert.spec.csr) {
      const csrSecret = await this.d.client.get<SecretObject>(secretPath(ns, cert.spec.csr.secretRef.name));
      const csrPem = csrSecret?.data?.['tls.csr'] ? Buffer.from(csrSecret.data['tls.csr'], 'base64').toString('utf8') : null;
      // The CSR Secret is not watched (it carries no operator label): look again in a minute.
      if (!csrPem) return this.failIssue(cert, st, Reason.CSRNotFound, `The CSR Secret ${cert.spec.csr.secretRef.name} with key tls.csr was not found; create it with the PEM certificate request.`, 60_000);
      key = { kind: 'csr', csrPem };
    } else {
      const reuse = cert.spec.privateKey?.rotationPolicy === 'Never' && existing?.data?.['tls.key'] && secretOwnership(existing, { name: cert.metadata.name ?? '', namespace: ns, uid: cert.metadata.uid ?? '' }).state === 'ours'
        ? Buffer.from(existing.data['tls.key'], 'base64').toString('utf8') : null;
      const parsed = reuse ? decodePem(reuse) : null;
      const old = parsed?.ok ? readPrivateKey(parsed.blocks, 'tls.key') : null;
      if (old?.ok) {
        privateKeyPem = old.pkcs8Pem;
        key = { kind: 'publicKey', publicKeyPem: old.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
      } else {
        const algorithm = cert.spec.privateKey?.algorithm ?? 'ECDSA';
        const spec = keySpecFor(algorithm, cert.spec.privateKey?.size ?? (algorithm === 'RSA' ? 2048 : 256));
        if (!spec.ok) return this.failIssue(cert, st, spec.reason, spec.message, undefined);
        const pair = await generateKeyPair(spec.spec);
        privateKeyPem = pair.privateKeyPem;
        key = { kind: 'publicKey', publicKeyPem: pair.publicKeyPem };
      }
    }
    const result = await this.d.issuer.issue({ domains: cert.spec.domains, product, key, notBefore: new Date(requested.notBefore), notAfter: new Date(requested.notAfter) });
    if (!result.ok) return this.failIssue(cert, st, result.reason, result.message, result.retryable ? 60_000 : undefined);
    const issued = result.certificate;
    const revision = step.revision;
    const content: TlsSecretContent = {
      chainPem: issued.chainPem, caPem: issued.caPem, serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(), revision,
      ...(privateKeyPem === undefined ? {} : { privateKeyPem }),
    };
    const body = buildTlsSecret({ name: cert.metadata.name ?? '', namespace: ns, uid: cert.metadata.uid ?? '' }, cert.spec.secretName, content);
    body.metadata.annotations = {
      ...body.metadata.annotations, [Annotation.requestedNotAfter]: formatInstant(requested.notAfter),
      ...(requested.serviceYearEnd === undefined ? {} : { [Annotation.serviceYearEnd]: formatInstant(requested.serviceYearEnd) }),
    };
    // The Secret is the record of the issuance: written before status, adopted after a crash.
    const cacheKey = this.passKey(cert);
    this.passSecrets.delete(cacheKey);
    if (existing) {
      body.metadata.resourceVersion = existing.metadata.resourceVersion ?? '';
      try {
        this.passSecrets.set(cacheKey, this.rememberSecret(await this.d.client.replace<SecretObject>(secretPath(ns, cert.spec.secretName), body)));
      } catch (e) {
        if (isConflict(e)) throw new Restart();
        throw e;
      }
    } else {
      try {
        this.passSecrets.set(cacheKey, this.rememberSecret(await this.d.client.create<SecretObject>(secretPath(ns), body)));
      } catch (e) {
        if (isAlreadyExists(e)) throw new Restart();
        throw e;
      }
    }
    failpoint('after-secret');
    this.recordIssued(st, cert, obs, revision, {
      serialNumber: issued.serialNumber, fingerprintSHA256: issued.fingerprintSHA256, notBefore: issued.notBefore.getTime(), notAfter: issued.notAfter.getTime(),
      issuer: issued.issuer, keyAlgorithm: issued.keyAlgorithm, requestedNotAfter: requested.notAfter,
      ...(requested.carry === null ? {} : { carried: requested.carry }),
      ...(requested.serviceYearEnd === undefined ? {} : { serviceYearEnd: requested.serviceYearEnd }),
      hostedRenewal: step.purpose === 'Reissue' || step.purpose === 'Rollover' ? (st.current?.hostedRenewal ?? false) : (st.application?.revision === revision && st.application.hostedRenewal === true),
    }, step.purpose === 'Reissue' ? 'Reissued' : step.purpose === 'Rollover' ? 'RolledOver' : 'Renewed');
    const started = this.submittedAt.get(`${cert.metadata.uid}/${revision}`);
    if (started !== undefined) {
      this.d.metrics.issuanceDuration.observe((performance.now() - started) / 1000);
      this.submittedAt.delete(`${cert.metadata.uid}/${revision}`);
    }
    const what = step.purpose === 'Reissue' ? 'Re-issued' : step.purpose === 'Rollover' ? 'Rolled over' : 'Issued';
    const yearNote = requested.serviceYearEnd === undefined ? '' : `; the service year runs until ${formatInstant(requested.serviceYearEnd)} and the next certificate of it follows when this one's window opens (R-PROFILE)`;
    this.d.events.record(cert, 'Normal', step.purpose === 'Reissue' ? 'Reissued' : step.purpose === 'Rollover' ? Reason.RolledOver : Reason.Issued, 'Issue',
      `${what} revision ${revision}, serial ${issued.serialNumber}, valid until ${formatInstant(issued.notAfter.getTime())}${issued.truncated ? ` (cut by ${issued.truncatedSeconds} s to the intermediate's expiry, R-CAP)` : ''}${yearNote}.`);
    log.info('issued', { revision, serial: issued.serialNumber, notAfter: issued.notAfter.toISOString(), purpose: step.purpose });
    return this.writeStatus(cert, st, conditions);
  }

  /**
   * The issuer refused: the reason goes to status (application, Ready) and an Event. A refusal the user
   * must fix (retryAfterMs undefined) waits for a spec change; one that can pass later is retried.
   */
  private async failIssue(cert: Certificate, st: CertificateStatus, reason: string, message: string, retryAfterMs: number | undefined): Promise<Certificate> {
    if (st.application?.message !== message) this.d.events.record(cert, 'Warning', reason, 'Issue', message);
    const app = applicationRecord(st);
    if (app) st.application = retryAfterMs === undefined ? applicationStatus({ ...app, blockedGeneration: cert.metadata.generation ?? 0 }, message, reason) : applicationStatus(app, message);
    await this.writeStatus(cert, st, [{ type: ConditionType.Ready, status: 'False', reason, message }]);
    throw new Blocked(retryAfterMs);
  }

  /** Status after revision `revision` is in the Secret. */
  private recordIssued(st: CertificateStatus, cert: Certificate, obs: CertificateObservation, revision: number,
    f: { serialNumber: string; fingerprintSHA256: string; notBefore: number; notAfter: number; issuer: string; keyAlgorithm: string; requestedNotAfter: number; carried?: number; serviceYearEnd?: number; hostedRenewal?: boolean },
    endedBy: 'Renewed' | 'Reissued' | 'RolledOver' = 'Renewed'): void {
    const prev = st.current;
    const reissue = endedBy === 'Reissued';
    if (prev && st.revision !== undefined) {
      const entry: HistoryEntry = { revision: st.revision, serialNumber: prev.serialNumber, notBefore: prev.notBefore, notAfter: prev.notAfter, endedBy: st.revision === revision && endedBy === 'Renewed' ? 'Reissued' : endedBy };
      st.history = [...(st.history ?? []), entry].slice(-maxHistoryEntries);
    }
    st.revision = revision;
    const carried = Math.max(0, Math.round((f.carried ?? 0) / 1000));
    st.current = {
      serialNumber: f.serialNumber, fingerprintSHA256: f.fingerprintSHA256, notBefore: formatInstant(f.notBefore), notAfter: formatInstant(f.notAfter),
      carriedOverSeconds: reissue ? (prev?.carriedOverSeconds ?? 0) : carried, issuer: f.issuer, keyAlgorithm: f.keyAlgorithm,
      ...(f.requestedNotAfter > f.notAfter ? { requestedNotAfter: formatInstant(f.requestedNotAfter) } : {}),
      ...(f.serviceYearEnd !== undefined && f.serviceYearEnd > f.notAfter ? { serviceYearEnd: formatInstant(f.serviceYearEnd) } : {}),
      ...(f.hostedRenewal ? { hostedRenewal: true } : {}),
    };
    if (st.application?.revision === revision) delete st.application;
    st.successors = (st.successors ?? []).filter((s) => s.revision !== revision);
    if (st.successors.length === 0) delete st.successors;
    if (!st.servicePeriod && (st.successors?.length ?? 0) > 0) {
      st.servicePeriod = { start: formatInstant(f.notBefore), end: '', firstRevision: revision, years: 1 };
    }
    Object.assign(st, this.withServicePeriod(st, obs));
  }

  /**
   * servicePeriod.end and years follow the queue (the projected notAfter of the last successor), and
   * each queued successor shows when it will be submitted (R-EARLY).
   */
  private withServicePeriod(st: CertificateStatus, obs: CertificateObservation): CertificateStatus {
    const current = currentRecord(st);
    if (!current) return st;
    // The successors' submitAt are projected by deriveStatus on every write.
    const queued = st.successors?.length ?? 0;
    if (!st.servicePeriod) return st;
    const end = servicePeriodEnd(obs.rules.profile, current, queued + 1, obs.now);
    const years = current.revision - st.servicePeriod.firstRevision + 1 + queued;
    return { ...st, servicePeriod: { ...st.servicePeriod, end: formatInstant(end), years } };
  }

  /** Final status for this pass, reminders (R-NOTIFY), and the next instant to look again. */
  private async settle(cert: Certificate, conditions: DesiredCondition[], nextAt: number | null, obs?: CertificateObservation): Promise<ReconcileResult> {
    const now = this.d.clock.now();
    const product = cert.spec.product;
    const rules = this.rulesFor(product?.brand ?? '');
    let st: CertificateStatus = { ...cert.status };
    const current = currentRecord(st);
    let reminderAt: number | null = null;
    if (current && !st.revokedAt && obs) {
      const settled = st.reminders?.revision === current.revision ? st.reminders.settled : [];
      // R-NOTIFY, R-PROFILE: a revision ends with its service year; the certificates inside it are replaced by themselves.
      const endsAt = current.serviceYearEnd ?? current.notAfter;
      const decision = reminderDecision({ notAfter: endsAt, now, settled, successorIssued: false, daysBefore: cert.spec.notifications?.daysBefore ?? [30, 15, 7] });
      reminderAt = decision.nextAt;
      if (decision.kind === 'send') {
        st.reminders = { revision: current.revision, settled: [...settled, ...decision.settle] };
        const left = Math.ceil((endsAt - now) / 86_400_000);
        const message = `The certificate expires in ${left} day${left === 1 ? '' : 's'}, at ${formatInstant(endsAt)} (the ${decision.daysBefore}-day reminder)${(st.successors?.length ?? 0) > 0 ? '; a hosted successor is queued' : '; renew it or enable hosting'} (R-NOTIFY).`;
        this.d.events.record(cert, 'Warning', 'ExpiryReminder', 'Remind', message);
        const hook = cert.spec.notifications?.webhook;
        if (hook) {
          const sent = await sendReminderWebhook(this.d.client, cert, hook.urlSecretRef, {
            certificate: cert.metadata.name ?? '', namespace: cert.metadata.namespace ?? '', revision: current.revision,
            serialNumber: current.serialNumber, notAfter: formatInstant(endsAt), daysBefore: decision.daysBefore, domains: cert.spec.domains,
          }, this.d.config.webhookTimeoutMs);
          if (!sent.ok) this.d.events.record(cert, 'Warning', 'ReminderWebhookFailed', 'Remind', sent.message);
        }
      }
    }
    let autoDeploy = false;
    if (current && !st.revokedAt && ((cert.spec.targets?.length ?? 0) > 0 || (st.deployments?.length ?? 0) > 0)) {
      autoDeploy = await this.rollout(cert, st, conditions);
    } else if ((cert.spec.targets?.length ?? 0) === 0) {
      delete st.deployments;
    }
    const saved = await this.writeStatus(cert, st, conditions, autoDeploy);
    st = saved.status ?? st;
    const app = applicationRecord(st);
    const reviewAt = app?.state === 'Submitted' && rules.validation === 'check' ? nextAt : null;
    const next = certificateNextTransition({
      profile: rules.profile,
      current: current ?? null,
      successorSubmitAt: (st.successors ?? []).map((s) => parseInstant(s.submitAt ?? '') ?? Infinity),
      reminderAt,
      reviewCheckAt: reviewAt,
    }, now);
    return { nextAt: next?.at ?? null };
  }

  /**
   * Spec section 5 for this certificate: which serial each target and domain should serve (written to
   * status.deployments for the DeploymentTarget reconciler), what it costs (R-DEPLOY-CREDITS), and how
   * the targets report back. Returns whether auto-deploy is on (R-AUTODEPLOY-PRE, state AutoDeploy).
   */
  private async rollout(cert: Certificate, st: CertificateStatus, conditions: DesiredCondition[]): Promise<boolean> {
    const ns = cert.metadata.namespace ?? '';
    const name = cert.metadata.name ?? '';
    const current = st.current;
    if (!current) return false;
    const now = this.d.clock.now();
    const targets: TargetFacts[] = [];
    const missing: string[] = [];
    for (const ref of cert.spec.targets ?? []) {
      const t = this.d.targets.get(`${ns}/${ref.name}`);
      if (!t || t.metadata.deletionTimestamp) missing.push(ref.name);
      else targets.push({ name: ref.name, type: t.spec.type, domains: t.spec.domains ?? [], certificateOnly: t.spec.type === 'Secret' });
    }
    const observed = (unit: DeploymentUnit): ObservedUnit | undefined => {
      const entries = (this.d.targets.get(`${ns}/${unit.target}`)?.status?.deployments ?? []).filter((e) => e.certificate === name && e.domain === unit.domain);
      if (entries.length === 0) return undefined;
      const serial = entries[0]?.serialNumber ?? '';
      if (entries.some((e) => e.serialNumber !== serial)) return { serialNumber: serial, state: 'Deploying' };
      const failed = entries.find((e) => e.state === 'Failed');
      if (failed) return { serialNumber: serial, state: 'Failed', ...(failed.message ? { message: failed.message } : {}) };
      const busy = entries.find((e) => e.state !== 'Deployed');
      return busy ? { serialNumber: serial, state: busy.state, ...(busy.message ? { message: busy.message } : {}) } : { serialNumber: serial, state: 'Deployed' };
    };
    const request = cert.metadata.annotations?.[Annotation.deploy];
    const deployRequested = request !== undefined && request !== st.lastDeployRequest;
    const granted = st.deploymentCredits?.granted ?? 0;
    const used = st.deploymentCredits?.used ?? 0;
    const records: UnitRecord[] = (st.deployments ?? []).map((d) => ({ target: d.target, domain: d.domain, serialNumber: d.serialNumber, state: d.state, ...(d.message ? { message: d.message } : {}) }));
    const source = cert.spec.source ?? 'Issue';
    const packageAvailable = this.d.deploymentCreditsAvailable(ns);
    const plan = planRollout({
      source, names: cert.spec.domains, currentSerial: current.serialNumber, hostedRenewal: current.hostedRenewal === true, keyless: cert.spec.csr !== undefined,
      sameRevisionSerials: (st.history ?? []).filter((h) => h.revision === st.revision && h.endedBy !== 'Renewed').map((h) => h.serialNumber),
      autoDeployRequested: cert.spec.autoDeploy?.enabled ?? false,
      hosted: (cert.spec.hosting?.enabled ?? false) && ((st.successors?.length ?? 0) > 0 || current.hostedRenewal === true || rolloverPending(currentRecord(st))),
      deployRequested, grantRemaining: Math.max(0, granted - used), packageAvailable,
      targets, missingTargets: missing, records, observed,
    });
    let next = plan.records;
    let grantUsed = 0;
    if (plan.charged.length > 0) {
      const charge = deploymentCharge({ source, trigger: plan.trigger, units: plan.charged.length, grantRemaining: Math.max(0, granted - used), packageAvailable });
      let ok = charge.ok;
      let message = charge.ok ? '' : charge.message;
      if (charge.ok && charge.fromPackages > 0) {
        // The units past the grant take package credits, keyed per (revision, target, domain): a replay spends nothing more.
        const units = plan.charged.slice(charge.fromGrant);
        const needs = units.map((u) => ({ key: ledgerKey(cert.metadata.uid ?? '', st.revision ?? 0, 'deployment', `${u.target}:${u.domain}`), certificate: name, revision: st.revision ?? 0, kind: 'deployment' as const }));
        const got = await this.d.credits.acquire(ns, undefined, needs, needs.map((n) => n.key), now);
        ok = got.ok;
        if (!got.ok) message = got.message;
      }
      if (ok && charge.ok) {
        grantUsed = charge.fromGrant;
      } else {
        // Nothing is deployed without its credits: the charged units keep what they had.
        const charged = new Set(plan.charged.map((u) => `${u.target}\u0000${u.domain}`));
        next = plan.records.map((r) => {
          if (!charged.has(`${r.target}\u0000${r.domain}`)) return r;
          const prev = records.find((p) => p.target === r.target && p.domain === r.domain);
          return { ...(prev ?? { ...r, serialNumber: '', state: 'Pending' as const }), message: `${Reason.InsufficientDeploymentCredits}: ${message}` };
        });
        conditions.push({ type: ConditionType.QuotaAvailable, status: 'False', reason: Reason.InsufficientDeploymentCredits, message });
      }
    }
    if (grantUsed > 0) st.deploymentCredits = { granted, used: used + grantUsed };
    if (deployRequested) st.lastDeployRequest = request;
    const at = formatInstant(now);
    st.deployments = next.map((r): CertificateDeploymentStatus => {
      const prev = st.deployments?.find((p) => p.target === r.target && p.domain === r.domain && p.serialNumber === r.serialNumber && p.state === r.state);
      return { target: r.target, domain: r.domain, serialNumber: r.serialNumber, state: r.state, time: prev?.time ?? at, ...(r.message ? { message: r.message.slice(0, 1024) } : {}) };
    });
    if (st.deployments.length === 0) delete st.deployments;
    const live = next.filter((r) => r.state !== 'Skipped');
    conditions.push(plan.complete
      ? { type: ConditionType.Deployed, status: 'True', reason: Reason.Deployed, message: `Serial ${current.serialNumber} is served by ${live.length} deployment(s).` }
      : { type: ConditionType.Deployed, status: 'False', reason: plan.summary, message: live.filter((r) => r.state !== 'Deployed' || r.serialNumber !== current.serialNumber).map((r) => `${r.target}/${r.domain}: ${r.message ?? r.state}`).join('; ').slice(0, 1024) || 'No target is configured.' });
    conditions.push(plan.autoDeploy.enabled
      ? { type: ConditionType.AutoDeployAllowed, status: 'True', reason: 'AutoDeployEnabled', message: 'Renewals roll out to every target by themselves (R-AUTODEPLOY-PRE).' }
      : { type: ConditionType.AutoDeployAllowed, status: 'False', reason: plan.autoDeploy.reason, message: plan.autoDeploy.message });
    return plan.autoDeploy.enabled;
  }

  /** `source: Upload`: track a third-party certificate, never renew it (R-NOT-RENEWABLE). */
  private async reconcileUpload(cert: Certificate, log: ReturnType<Logger['with']>): Promise<ReconcileResult> {
    const ns = cert.metadata.namespace ?? '';
    const now = this.d.clock.now();
    const conditions: DesiredCondition[] = [];
    const ref = cert.spec.upload?.secretRef.name;
    const up = ref ? await this.d.client.get<SecretObject>(secretPath(ns, ref)) : null;
    if (!up) {
      const message = `The upload Secret ${ref ?? '(none)'} was not found; create it with tls.crt (chain) and tls.key.`;
      conditions.push({ type: ConditionType.Ready, status: 'False', reason: Reason.UploadSecretNotFound, message });
      return { ...(await this.settle(cert, conditions, null)), requeueAfterMs: 60_000 };
    }
    const parsed = await parseUploadedCertificate({
      certificate: Buffer.from(up.data?.['tls.crt'] ?? '', 'base64'), privateKey: Buffer.from(up.data?.['tls.key'] ?? '', 'base64'), now: new Date(now),
    });
    if (!parsed.ok && parsed.reason !== 'Expired') {
      conditions.push({ type: ConditionType.Ready, status: 'False', reason: Reason.UploadInvalid, message: parsed.message });
      if (cert.status?.conditions?.find((c) => c.type === 'Ready')?.message !== parsed.message) this.d.events.record(cert, 'Warning', Reason.UploadInvalid, 'Upload', parsed.message);
      return { ...(await this.settle(cert, conditions, null)), requeueAfterMs: 60_000 };
    }
    const st: CertificateStatus = { ...cert.status };
    if (parsed.ok) {
      const leaf = parsed.certificate.leaf;
      if (st.current?.serialNumber !== leaf.serialNumber) {
        const revision = (st.revision ?? 0) + 1;
        if (st.current && st.revision !== undefined) {
          st.history = [...(st.history ?? []), { revision: st.revision, serialNumber: st.current.serialNumber, notBefore: st.current.notBefore, notAfter: st.current.notAfter, endedBy: 'Replaced' as const }].slice(-maxHistoryEntries);
        }
        st.revision = revision;
        st.current = {
          serialNumber: leaf.serialNumber, fingerprintSHA256: leaf.fingerprintSHA256, notBefore: formatInstant(leaf.notBefore.getTime()), notAfter: formatInstant(leaf.notAfter.getTime()),
          carriedOverSeconds: 0, issuer: leaf.issuerCommonName ?? '', keyAlgorithm: leaf.keyAlgorithm,
        };
        if (cert.spec.secretName !== ref) {
          const body = buildTlsSecret({ name: cert.metadata.name ?? '', namespace: ns, uid: cert.metadata.uid ?? '' }, cert.spec.secretName, {
            chainPem: parsed.certificate.chainPem, caPem: '', privateKeyPem: parsed.certificate.privateKeyPem, serialNumber: leaf.serialNumber,
            notAfter: leaf.notAfter.toISOString(), revision,
          });
          const existing = await this.d.client.get<SecretObject>(secretPath(ns, cert.spec.secretName));
          if (existing) {
            if (secretOwnership(existing, { name: cert.metadata.name ?? '', namespace: ns, uid: cert.metadata.uid ?? '' }).state === 'foreign') {
              conditions.push({ type: ConditionType.Ready, status: 'False', reason: Reason.SecretConflict, message: `The Secret ${cert.spec.secretName} is not managed by this Certificate; choose another spec.secretName.` });
              return this.settle(cert, conditions, null);
            }
            body.metadata.resourceVersion = existing.metadata.resourceVersion ?? '';
            await this.d.client.replace(secretPath(ns, cert.spec.secretName), body);
          } else {
            await this.d.client.create(secretPath(ns), body);
          }
        }
        this.d.events.record(cert, 'Normal', Reason.Uploaded, 'Upload', `Tracking uploaded certificate ${leaf.serialNumber}, valid until ${formatInstant(leaf.notAfter.getTime())}; it is never renewed (R-NOT-RENEWABLE).`);
        log.info('uploaded certificate tracked', { revision, serial: leaf.serialNumber });
      }
    }
    cert = await this.writeStatus(cert, st);
    const settled = await this.settle(cert, conditions, null, undefined);
    // The upload Secret carries no operator label, so it is not watched: look at it again every 5 minutes.
    return { ...settled, requeueAfterMs: 5 * 60_000 };
  }
}
