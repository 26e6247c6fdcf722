// The HostingPackage reconciler (spec section 4): keeps each package's counters equal to its ledger,
// compacts what is settled, returns reservations of Certificates that no longer exist (R-DELETE cancels
// their Inactive successors, R-CANCEL), and states whether credits can be spent. Spending itself
// happens in CreditStore, on behalf of Certificates.
import type { Certificate } from '../api/certificate-types.ts';
import { ConditionType, Reason } from '../api/conditions.ts';
import type { HostingPackage, HostingPackageStatus } from '../api/hosting-package-types.ts';
import { setConditions, type DesiredCondition } from '../domain/conditions.ts';
import { packageCounters, release } from '../domain/credit-ledger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { type KubeClient, isConflict, resourcePath } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { packageStatus, packageView } from './credit-store.ts';
import { certificatePath } from './certificate-controller.ts';
import { stableJson } from './certificate-status.ts';
import { parseInstant } from '../domain/time.ts';

export interface HostingPackageDeps {
  /** Certificates as the cache knows them; a reservation whose owner is missing there is checked live. */
  certificates?: Informer<Certificate>;
  client: KubeClient;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
}

function packagePath(namespace: string, name: string, status = false): string {
  return resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'hostingpackages', namespace, name, ...(status ? { subresource: 'status' } : {}) });
}

export class HostingPackageReconciler {
  private readonly d: HostingPackageDeps;

  constructor(d: HostingPackageDeps) {
    this.d = d;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const pkg = await this.d.client.get<HostingPackage>(packagePath(namespace, name));
    if (!pkg || pkg.metadata.deletionTimestamp) return {};
    const now = this.d.clock.now();
    let ledger = packageView(pkg).ledger;

    // Reservations held for a Certificate that is gone (or was re-created under the same name) return.
    const orphaned: string[] = [];
    for (const e of ledger) {
      if (e.state !== 'reserved') continue;
      const uid = e.key.split('/')[0];
      if (this.d.certificates?.get(`${namespace}/${e.certificate}`)?.metadata?.uid === uid) continue;
      // Not (or not yet) in the cache: ask the API server before returning anything.
      const cert = await this.d.client.get<Certificate>(certificatePath(namespace, e.certificate));
      if (!cert || cert.metadata.uid !== uid) orphaned.push(e.key);
    }
    for (const k of orphaned) ledger = release(ledger, k, now);
    if (orphaned.length > 0) {
      this.d.events.record(pkg, 'Normal', Reason.SuccessorCancelled, 'Release', `Returned ${orphaned.length} credit(s) reserved for Certificates that were deleted (R-CANCEL).`);
    }

    const status: HostingPackageStatus = packageStatus(pkg, ledger, now);
    const view = { ...packageView(pkg), ledger, compactedUsed: status.compactedUsed ?? 0 };
    const c = packageCounters(view, now);
    const expires = pkg.spec.expires === undefined ? null : parseInstant(pkg.spec.expires);
    const expired = expires !== null && now >= expires;
    const ready: DesiredCondition = expired
      ? { type: ConditionType.Ready, status: 'False', reason: Reason.Expired, message: `The package expired at ${pkg.spec.expires}; it spends no new credits. Add a new package.` }
      : c.available === 0
        ? { type: ConditionType.Ready, status: 'False', reason: Reason.CreditsExhausted, message: `All ${c.total} credits are used or reserved; raise spec.quantity or add a package.` }
        // The counts are in status and the printer columns; a message that changed with every spend would
        // make this reconciler write (and race the spender) after each one.
        : { type: ConditionType.Ready, status: 'True', reason: Reason.CreditsAvailable, message: 'Credits are available; status.available says how many.' };
    status.conditions = setConditions(pkg.status?.conditions ?? [], [ready], pkg.metadata.generation ?? 0, now);
    status.observedGeneration = pkg.metadata.generation ?? 0;
    if (stableJson(status) !== stableJson(pkg.status)) {
      try {
        await this.d.client.replace(packagePath(namespace, name, true), { ...pkg, status });
      } catch (e) {
        if (isConflict(e)) return { requeueAfterMs: 50 };
        throw e;
      }
    }
    // The package stops spending when it expires: look again then.
    return { nextAt: expires !== null && !expired ? expires : null };
  }
}

