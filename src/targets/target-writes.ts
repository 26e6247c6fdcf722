// The writes every deployer is made of, each safe on its own: copying the certificate into a Secret of
// the target (R-TENANCY: only where the namespace allows it, never over a Secret someone else owns),
// pointing an Ingress's spec.tls at it (only entries the operator created), restarting workloads, and
// undoing all of it on undeploy. R-ROLLOUT-SAFE: the Secret is always written before anything points
// at it, and removed only after nothing does.
import { Annotation, Label, allowAllNamespaces, managedByValue } from '../api/labels.ts';
import type { SecretObject } from '../controllers/tls-secret.ts';
import { coveringName } from '../domain/domain-names.ts';
import { type KubeClient, isConflict, isNotFound, resourcePath } from '../runtime/kube-client.ts';

export interface NamespaceObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface IngressObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { ingressClassName?: string; tls?: { hosts?: string[]; secretName?: string }[]; rules?: { host?: string }[] };
  status?: { loadBalancer?: { ingress?: unknown[] } };
}

export type WriteOutcome = { ok: true; changed: boolean } | { ok: false; reason: 'NamespaceNotAllowed' | 'SecretConflict'; message: string };

/** Annotation on an Ingress listing the tls secretNames whose entries the operator manages there. */
export const managedTlsAnnotation = 'certhost.io/managed-tls-secrets';
/** Pod-template annotation: the serial a workload was last restarted for. */
export const restartedForAnnotation = 'certhost.io/restarted-for-serial';

const secretPath = (ns: string, name?: string): string => resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: ns, ...(name ? { name } : {}) });
const ingressPath = (ns: string, name?: string): string => resourcePath({ group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespace: ns, ...(name ? { name } : {}) });

/** R-TENANCY: a target writes into its own namespace, elsewhere only where the namespace allows it. */
export function namespaceAllows(ns: NamespaceObject | undefined, targetNamespace: string): boolean {
  if (!ns) return false;
  if (ns.metadata.name === targetNamespace) return true;
  const allowed = (ns.metadata.annotations?.[Annotation.allowTargetsFrom] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return allowed.includes(allowAllNamespaces) || allowed.includes(targetNamespace);
}

export interface CopyRequest {
  namespace: string;
  name: string;
  certificate: string;
  certificateNamespace: string;
  target: string;
  serial: string;
  /** tls.crt, tls.key (absent for a keyless certificate), ca.crt: base64, as in the source Secret. */
  data: Record<string, string>;
  /** Keep what the copy served before as previous.* so a failed verification can roll back (R-VERIFY). */
  keepPrevious: boolean;
}

export function copyLabels(r: { certificate: string; certificateNamespace: string; target: string; serial: string }): Record<string, string> {
  return {
    [Label.managedBy]: managedByValue, [Label.certificate]: r.certificate, [Label.certificateNamespace]: r.certificateNamespace,
    [Label.deploymentTarget]: r.target, [Label.serial]: r.serial,
  };
}

function ownedBy(s: SecretObject, r: { certificate: string; certificateNamespace: string; target: string }): boolean {
  const l = s.metadata.labels ?? {};
  return l[Label.managedBy] === managedByValue && l[Label.deploymentTarget] === r.target && l[Label.certificate] === r.certificate && l[Label.certificateNamespace] === r.certificateNamespace;
}

/** Writes (or updates in one write) the target's copy of the certificate. */
export async function writeCopy(client: KubeClient, r: CopyRequest): Promise<WriteOutcome> {
  const existing = await client.get<SecretObject>(secretPath(r.namespace, r.name));
  if (existing && !ownedBy(existing, r)) {
    return { ok: false, reason: 'SecretConflict', message: `Secret ${r.namespace}/${r.name} exists and was not created by this target for this certificate; it is left alone (R-TENANCY).` };
  }
  if (existing && existing.metadata.labels?.[Label.serial] === r.serial && existing.data?.['tls.crt'] === r.data['tls.crt']) return { ok: true, changed: false };
  const data: Record<string, string> = { ...r.data };
  if (r.keepPrevious && existing?.data?.['tls.crt']) {
    data['previous.tls.crt'] = existing.data['tls.crt'];
    if (existing.data['tls.key']) data['previous.tls.key'] = existing.data['tls.key'];
    data['previous.serial'] = Buffer.from(existing.metadata.labels?.[Label.serial] ?? '').toString('base64');
  }
  const body: SecretObject = {
    apiVersion: 'v1', kind: 'Secret', type: data['tls.key'] ? 'kubernetes.io/tls' : 'Opaque',
    metadata: { name: r.name, namespace: r.namespace, labels: copyLabels(r) },
    data,
  };
  if (existing?.type && existing.type !== body.type) {
    // The type of a Secret is immutable: replace the object (nothing points at a copy of another type).
    await client.delete(secretPath(r.namespace, r.name));
    await client.create(secretPath(r.namespace), body);
    return { ok: true, changed: true };
  }
  if (existing) {
    body.metadata.resourceVersion = existing.metadata.resourceVersion ?? '';
    await client.replace(secretPath(r.namespace, r.name), body);
  } else {
    await client.create(secretPath(r.namespace), body);
  }
  return { ok: true, changed: true };
}

/** R-VERIFY: puts back what the copy served before; false when there is nothing to go back to. */
export async function rollbackCopy(client: KubeClient, namespace: string, name: string): Promise<string | null> {
  const s = await client.get<SecretObject>(secretPath(namespace, name));
  const prev = s?.data?.['previous.tls.crt'];
  if (!s || !prev) return null;
  const previousSerial = Buffer.from(s.data?.['previous.serial'] ?? '', 'base64').toString('utf8');
  const data: Record<string, string> = { ...s.data, 'tls.crt': prev };
  if (s.data?.['previous.tls.key']) data['tls.key'] = s.data['previous.tls.key'];
  delete data['previous.tls.crt'];
  delete data['previous.tls.key'];
  delete data['previous.serial'];
  await client.replace(secretPath(namespace, name), { ...s, metadata: { ...s.metadata, labels: { ...s.metadata.labels, [Label.serial]: previousSerial } }, data });
  return previousSerial;
}

/** Deletes the copies a target wrote for a certificate (undeploy). */
export async function deleteCopies(client: KubeClient, r: { certificate: string; certificateNamespace: string; target: string }, namespaces: readonly string[]): Promise<void> {
  const selector = `${Label.managedBy}=${managedByValue},${Label.deploymentTarget}=${r.target},${Label.certificateNamespace}=${r.certificateNamespace}${r.certificate ? `,${Label.certificate}=${r.certificate}` : ''}`;
  for (const ns of namespaces) {
    const list = await client.list<SecretObject>(secretPath(ns), { labelSelector: selector }).catch((e: unknown) => {
      if (isNotFound(e)) return { items: [] as SecretObject[], metadata: {} };
      throw e;
    });
    for (const s of list.items) await client.delete(secretPath(ns, s.metadata.name));
  }
}

export async function listIngresses(client: KubeClient, namespace: string): Promise<IngressObject[]> {
  return (await client.list<IngressObject>(ingressPath(namespace))).items;
}

/** Hosts of an Ingress's rules that a certificate's names cover. */
export function coveredHosts(ing: IngressObject, names: readonly string[]): string[] {
  return [...new Set((ing.spec?.rules ?? []).map((r) => r.host ?? '').filter((h) => h !== '' && coveringName(names, h) !== null))];
}

function managedSecrets(ing: IngressObject): string[] {
  return (ing.metadata.annotations?.[managedTlsAnnotation] ?? '').split(',').filter(Boolean);
}

/**
 * Points spec.tls of an Ingress at `secretName` for `hosts`: our own entry is created or updated;
 * entries of others are never touched, and a host already served by someone else's entry is a conflict.
 */
export async function pointIngressAt(client: KubeClient, ing: IngressObject, secretName: string, hosts: readonly string[]): Promise<WriteOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const tls = [...(ing.spec?.tls ?? [])];
    const mine = managedSecrets(ing);
    const foreign = tls.filter((e) => !(e.secretName !== undefined && mine.includes(e.secretName)));
    const clash = hosts.find((h) => foreign.some((e) => (e.hosts ?? []).includes(h)));
    if (clash) {
      return { ok: false, reason: 'SecretConflict', message: `Ingress ${ing.metadata.namespace}/${ing.metadata.name} already serves ${clash} with a TLS entry it did not get from certhost; that entry is left alone.` };
    }
    const idx = tls.findIndex((e) => e.secretName === secretName);
    const entry = { hosts: [...hosts].sort(), secretName };
    if (idx >= 0 && JSON.stringify([...(tls[idx]?.hosts ?? [])].sort()) === JSON.stringify(entry.hosts) && mine.includes(secretName)) return { ok: true, changed: false };
    if (idx >= 0) tls[idx] = entry;
    else tls.push(entry);
    const annotations = { ...ing.metadata.annotations, [managedTlsAnnotation]: [...new Set([...mine, secretName])].join(',') };
    try {
      await client.replace(ingressPath(ing.metadata.namespace, ing.metadata.name), { ...ing, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { ...ing.metadata, annotations }, spec: { ...ing.spec, tls } });
      return { ok: true, changed: true };
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await client.get<IngressObject>(ingressPath(ing.metadata.namespace, ing.metadata.name));
      if (!fresh) return { ok: true, changed: false };
      ing = fresh;
    }
  }
  throw new Error(`Ingress ${ing.metadata.namespace}/${ing.metadata.name} kept changing`);
}

/** Removes our tls entry for `secretName` from every Ingress of a namespace (undeploy). */
export async function detachIngresses(client: KubeClient, namespace: string, secretName: string): Promise<void> {
  for (const ing of await listIngresses(client, namespace).catch(() => [] as IngressObject[])) {
    const mine = managedSecrets(ing);
    if (!mine.includes(secretName)) continue;
    const tls = (ing.spec?.tls ?? []).filter((e) => e.secretName !== secretName);
    const rest = mine.filter((s) => s !== secretName);
    const annotations = { ...ing.metadata.annotations };
    if (rest.length > 0) annotations[managedTlsAnnotation] = rest.join(',');
    else delete annotations[managedTlsAnnotation];
    await client.replace(ingressPath(namespace, ing.metadata.name), { ...ing, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { ...ing.metadata, annotations }, spec: { ...ing.spec, tls } });
  }
}

interface Workload {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

/**
 * Rolling restart of the Deployments, StatefulSets and DaemonSets a selector names, the way
 * `kubectl rollout restart` does it, once per new certificate (the serial is recorded on the template).
 */
export async function restartWorkloads(client: KubeClient, namespace: string, labelSelector: string, serial: string, at: string): Promise<string[]> {
  const restarted: string[] = [];
  for (const plural of ['deployments', 'statefulsets', 'daemonsets']) {
    const path = resourcePath({ group: 'apps', version: 'v1', plural, namespace });
    const list = await client.list<Workload>(path, labelSelector ? { labelSelector } : {});
    for (const w of list.items) {
      if (w.spec?.template?.metadata?.annotations?.[restartedForAnnotation] === serial) continue;
      await client.patch(`${path}/${w.metadata.name}`, { spec: { template: { metadata: { annotations: { [restartedForAnnotation]: serial, 'kubectl.kubernetes.io/restartedAt': at } } } } });
      restarted.push(`${plural}/${w.metadata.name}`);
    }
  }
  return restarted;
}
