// Spending credits (spec section 4): HostingPackage status is the single place where credits are
// spent. Every change is a status write guarded by resourceVersion (two certificates can never spend
// one credit) and keyed by (certificate UID, revision, kind) (a replay never spends twice). A plan that
// needs several packages reserves in each, and commits only when all reservations stand; otherwise it
// releases what it reserved (R-INSUFFICIENT: all or none).
import { creditKindOf, type HostingPackage, type HostingPackageStatus, type LedgerEntry as ApiLedgerEntry } from '../api/hosting-package-types.ts';
import type { LabelSelector } from '../api/meta-types.ts';
import {
  type CreditNeed, type LedgerEntry, type MissingCredit, type PackageView,
  commit, compactLedger, packageCounters, planCredits, release, reserve,
} from '../domain/credit-ledger.ts';
import { formatInstant, parseInstant } from '../domain/time.ts';
import { type KubeClient, isConflict, resourcePath } from '../runtime/kube-client.ts';
import { matchesSelector } from './label-selector.ts';

export type AcquireResult = { ok: true } | { ok: false; missing: MissingCredit[]; message: string };

const MAX_ATTEMPTS = 20;

export function packageView(p: HostingPackage): PackageView {
  const ledger: LedgerEntry[] = (p.status?.ledger ?? []).map((e) => ({ ...e, time: parseInstant(e.time) ?? 0 }));
  const expires = p.spec.expires === undefined ? null : parseInstant(p.spec.expires);
  return {
    name: p.metadata.name ?? '',
    kind: creditKindOf[p.spec.type],
    ...(p.spec.product ? { product: p.spec.product } : {}),
    quantity: p.spec.quantity,
    ...(expires === null ? {} : { expires }),
    ledger,
    compactedUsed: p.status?.compactedUsed ?? 0,
  };
}

/** Status for a package whose ledger changed: counters derived, settled entries compacted. */
export function packageStatus(p: HostingPackage, ledger: readonly LedgerEntry[], now: number): HostingPackageStatus {
  const compacted = compactLedger(ledger, p.status?.compactedUsed ?? 0, now);
  const view: PackageView = { ...packageView(p), ledger: compacted.ledger, compactedUsed: compacted.compactedUsed };
  const c = packageCounters(view, now);
  const apiLedger: ApiLedgerEntry[] = compacted.ledger.map((e) => ({ ...e, time: formatInstant(e.time) }));
  return { ...p.status, ...c, ledger: apiLedger, compactedUsed: compacted.compactedUsed };
}

export class CreditStore {
  private readonly client: KubeClient;
  /**
   * One credit operation at a time per namespace in this process: the workers would otherwise race
   * each other for the same package and lose most writes to resourceVersion conflicts. The guard
   * against other writers (another replica, a person) stays the resourceVersion.
   */
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(client: KubeClient) {
    this.client = client;
  }

  private inLane<T>(namespace: string, work: () => Promise<T>): Promise<T> {
    const run = (this.lanes.get(namespace) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    this.lanes.set(namespace, settled);
    void settled.then(() => {
      if (this.lanes.get(namespace) === settled) this.lanes.delete(namespace);
    });
    return run;
  }

  private path(namespace: string, name?: string, status = false): string {
    return resourcePath({ group: 'certhost.io', version: 'v1alpha1', plural: 'hostingpackages', namespace, ...(name ? { name } : {}), ...(status ? { subresource: 'status' } : {}) });
  }

  /** Live list (never the cache: a stale cache would plan with credits already spent). */
  async packages(namespace: string, selector?: LabelSelector): Promise<HostingPackage[]> {
    const list = await this.client.list<HostingPackage>(this.path(namespace));
    return list.items.filter((p) => !p.metadata.deletionTimestamp && matchesSelector(selector, p.metadata.labels));
  }

  /** Writes one package's ledger change, guarded by resourceVersion. False on conflict. */
  private async write(p: HostingPackage, ledger: readonly LedgerEntry[], now: number): Promise<boolean> {
    try {
      await this.client.replace(this.path(p.metadata.namespace ?? '', p.metadata.name, true), { ...p, status: packageStatus(p, ledger, now) });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /**
   * Takes `needs` (all or none) and commits every key of `commitKeys` that is held. Safe to repeat:
   * keys already held are not taken again.
   */
  async acquire(namespace: string, selector: LabelSelector | undefined, needs: readonly CreditNeed[], commitKeys: readonly string[], now: number): Promise<AcquireResult> {
    if (needs.length === 0 && commitKeys.length === 0) return { ok: true };
    return this.inLane(namespace, () => this.acquireNow(namespace, selector, needs, commitKeys, now));
  }

  private async acquireNow(namespace: string, selector: LabelSelector | undefined, needs: readonly CreditNeed[], commitKeys: readonly string[], now: number): Promise<AcquireResult> {
    const reservedHere: string[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const pkgs = await this.packages(namespace, selector);
      const plan = planCredits(needs, pkgs.map(packageView), now);
      if (!plan.ok) {
        if (reservedHere.length > 0) await this.mutate(namespace, reservedHere, (ledger) => reservedHere.reduce((l, k) => release(l, k, now), ledger), (e) => e.state !== 'released', now);
        return { ok: false, missing: plan.missing, message: plan.message };
      }
      const byPackage = new Map<string, CreditNeed[]>();
      for (const a of plan.allocations) byPackage.set(a.packageName, [...(byPackage.get(a.packageName) ?? []), a.need]);
      // One package: reserve and commit in one write (atomic). Several: reserve everywhere first.
      const single = byPackage.size <= 1;
      let conflicted = false;
      for (const [name, ns] of byPackage) {
        const p = pkgs.find((x) => x.metadata.name === name);
        if (!p) continue;
        let ledger = [...packageView(p).ledger];
        for (const n of ns) ledger = reserve(ledger, n, now);
        if (single) for (const k of commitKeys) ledger = commit(ledger, k, now);
        if (!(await this.write(p, ledger, now))) {
          conflicted = true;
          break;
        }
        reservedHere.push(...ns.map((n) => n.key));
      }
      if (conflicted) continue; // re-plan against fresh packages; keys already reserved count as held
      // Keys held elsewhere (a successor's reservation) are committed where they are.
      const written = single ? [...byPackage.keys()][0] : undefined;
      const elsewhere = !single || pkgs.some((p) => p.metadata.name !== written && packageView(p).ledger.some((e) => e.state === 'reserved' && commitKeys.includes(e.key)));
      if (elsewhere) await this.commitNow(namespace, commitKeys, now);
      return { ok: true };
    }
    throw new Error('credit packages kept changing under us; retrying later');
  }

  /** Commits reservations (reserved → consumed) wherever they are held. */
  async commitKeys(namespace: string, keys: readonly string[], now: number): Promise<void> {
    await this.inLane(namespace, () => this.commitNow(namespace, keys, now));
  }

  private async commitNow(namespace: string, keys: readonly string[], now: number): Promise<void> {
    await this.mutate(namespace, keys, (ledger) => keys.reduce((l, k) => commit(l, k, now), ledger), (e) => e.state === 'reserved', now);
  }

  /** Returns credits (R-CANCEL, R-REFUND, a failed all-or-nothing plan). */
  async release(namespace: string, keys: readonly string[], now: number): Promise<void> {
    if (keys.length === 0) return;
    await this.inLane(namespace, () => this.mutate(namespace, keys, (ledger) => keys.reduce((l, k) => release(l, k, now), ledger), (e) => e.state !== 'released', now));
  }

  private async mutate(namespace: string, keys: readonly string[], change: (l: LedgerEntry[]) => LedgerEntry[], applies: (e: LedgerEntry) => boolean, now: number): Promise<void> {
    if (keys.length === 0) return;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const pkgs = await this.client.list<HostingPackage>(this.path(namespace));
      let conflicted = false;
      for (const p of pkgs.items) {
        const ledger = packageView(p).ledger;
        if (!ledger.some((e) => keys.includes(e.key) && applies(e))) continue;
        if (!(await this.write(p, change([...ledger]), now))) {
          conflicted = true;
          break;
        }
      }
      if (!conflicted) return;
    }
    throw new Error('credit packages kept changing under us; retrying later');
  }
}
