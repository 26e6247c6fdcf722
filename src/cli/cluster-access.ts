// The plugin's reads and writes against the cluster, through the operator's KubeClient, and the
// translation of what can go wrong into one line a person can act on.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Certificate } from '../api/certificate-types.ts';
import type { HostingPackage } from '../api/hosting-package-types.ts';
import { group, version } from '../api/group-version.ts';
import { ApiError, KubeClient, resourcePath } from '../runtime/kube-client.ts';
import type { KubeEvent } from './status-view.ts';

/** A failure the user can act on: printed as one line, exit status 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface Cluster {
  client: KubeClient;
  server: string;
  /** The namespace of -n, else the context's, else `default`. */
  namespace: string;
}

export function connect(opts: ClusterOptions): Cluster {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig !== undefined) {
      if (!existsSync(opts.kubeconfig)) throw new CliError(`the kubeconfig ${opts.kubeconfig} does not exist`);
      kc.loadFromFile(opts.kubeconfig);
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot load the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${firstLine(e)}`);
  }
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) throw new CliError(`the kubeconfig has no context "${opts.context}"`);
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  // loadFromDefault's last resort when there is no kubeconfig and no service account.
  if (opts.kubeconfig === undefined && cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080') {
    throw new CliError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
  }
  if (!cluster) throw new CliError('the kubeconfig has no current cluster: pass --kubeconfig or set KUBECONFIG');
  const namespace = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return { client: new KubeClient(kc, { qps: 50, burst: 100 }), server: cluster.server, namespace };
}

const path = (plural: string, namespace: string | null, name?: string): string =>
  resourcePath({ group, version, plural, ...(namespace === null ? {} : { namespace }), ...(name === undefined ? {} : { name }) });

/** Runs one API call and turns failures into a {@link CliError}. */
async function call<T>(cluster: Cluster, what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new CliError(explain(e, cluster.server, what));
  }
}

export function explain(e: unknown, server: string, what: string): string {
  if (e instanceof CliError) return e.message;
  if (e instanceof ApiError) {
    if (e.code === 404 && /\/apis\/certhost\.io\//.test(e.message)) {
      return `cannot ${what}: the certhost CRDs are not installed in this cluster (the API server at ${server} does not serve ${group}/${version})`;
    }
    if (e.code === 401) return `cannot ${what}: the API server at ${server} did not accept the credentials of the kubeconfig (Unauthorized)`;
    if (e.code === 403) return `cannot ${what}: forbidden: ${stripRequest(e.message)}`;
    return `cannot ${what}: ${stripRequest(e.message)} (HTTP ${e.code})`;
  }
  // undici: TypeError('fetch failed') with the socket error as its cause.
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) {
    return `cannot reach the API server at ${server} (${code}): is the cluster running and is the kubeconfig right?`;
  }
  return `cannot ${what}: ${firstLine(cause)}`;
}

function stripRequest(message: string): string {
  // KubeClient prefixes "<METHOD> <path>: "; the server's own sentence is what helps.
  return message.replace(/^[A-Z]+ \/\S*: /, '');
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

export async function listCertificates(cluster: Cluster, namespace: string | null): Promise<Certificate[]> {
  return (await call(cluster, 'list Certificates', () => cluster.client.listAll<Certificate>(path('certificates', namespace)))).items;
}

export async function listPackages(cluster: Cluster, namespace: string | null): Promise<HostingPackage[]> {
  return (await call(cluster, 'list HostingPackages', () => cluster.client.listAll<HostingPackage>(path('hostingpackages', namespace)))).items;
}

export async function getCertificate(cluster: Cluster, namespace: string, name: string): Promise<Certificate> {
  const cert = await call(cluster, `get Certificate ${name}`, () => cluster.client.get<Certificate>(path('certificates', namespace, name)));
  if (!cert) throw new CliError(`certificate "${name}" not found in namespace "${namespace}"`);
  return cert;
}

/** The Events of a namespace about one object (events.k8s.io/v1, filtered on the server by regarding.name). */
export async function listEvents(cluster: Cluster, namespace: string, name: string): Promise<KubeEvent[]> {
  const p = resourcePath({ group: 'events.k8s.io', version: 'v1', plural: 'events', namespace });
  return (await call(cluster, 'list Events', () => cluster.client.listAll<KubeEvent>(p, { fieldSelector: `regarding.name=${name}` }))).items;
}

export async function annotateCertificate(cluster: Cluster, namespace: string, name: string, patch: unknown): Promise<Certificate> {
  return call(cluster, `annotate Certificate ${name}`, () => cluster.client.patch<Certificate>(path('certificates', namespace, name), patch, 'merge'));
}
