// Prometheus metrics (architecture section 5, prefix certhost_). Gauges about objects are computed from
// the informer caches at scrape time (cert-manager's collector pattern); counters and histograms
// record things that happen.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { certificateStates } from '../api/states.ts';

export interface CertificateSample {
  namespace: string;
  name: string;
  state?: string;
  notAfter?: string;
  renewalTime?: string;
}

export interface PackageSample {
  namespace: string;
  name: string;
  type: string;
  total: number;
  used: number;
  reserved: number;
  available: number;
}

export interface MetricSources {
  certificates: () => CertificateSample[];
  packages: () => PackageSample[];
  queueDepths: () => Record<string, number>;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly apiRequests: Counter<'verb' | 'resource' | 'code'>;
  readonly deploymentsTotal: Counter<'type' | 'result'>;
  readonly issuanceDuration: Histogram<string>;
  readonly rolloutDuration: Histogram<string>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'certhost_process_' });
    this.reconcileTotal = new Counter({ name: 'certhost_reconcile_total', help: 'Reconciles by controller and result.', labelNames: ['controller', 'result'], registers });
    this.apiRequests = new Counter({ name: 'certhost_kube_api_requests_total', help: 'Kubernetes API requests by verb, resource and HTTP code.', labelNames: ['verb', 'resource', 'code'], registers });
    this.deploymentsTotal = new Counter({ name: 'certhost_deployments_total', help: 'Deployments of a certificate to a target domain, by target type and result.', labelNames: ['type', 'result'], registers });
    this.issuanceDuration = new Histogram({
      name: 'certhost_issuance_duration_seconds', help: 'From submission to the CA until the certificate is issued (real time).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers,
    });
    this.rolloutDuration = new Histogram({
      name: 'certhost_rollout_duration_seconds', help: 'From issuance until every target serves the certificate (real time).',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers,
    });
    new Gauge({
      name: 'certhost_certificate_expiration_timestamp_seconds', help: 'notAfter of the current certificate.', labelNames: ['namespace', 'name'], registers,
      collect() {
        this.reset();
        for (const c of sources.certificates()) if (c.notAfter) this.set({ namespace: c.namespace, name: c.name }, Date.parse(c.notAfter) / 1000);
      },
    });
    new Gauge({
      name: 'certhost_certificate_renewal_timestamp_seconds', help: 'When the renewal window of the current certificate opens.', labelNames: ['namespace', 'name'], registers,
      collect() {
        this.reset();
        for (const c of sources.certificates()) if (c.renewalTime) this.set({ namespace: c.namespace, name: c.name }, Date.parse(c.renewalTime) / 1000);
      },
    });
    new Gauge({
      name: 'certhost_certificate_state', help: 'The console state of each certificate (one-hot).', labelNames: ['namespace', 'name', 'state'], registers,
      collect() {
        this.reset();
        for (const c of sources.certificates()) {
          for (const s of certificateStates) this.set({ namespace: c.namespace, name: c.name, state: s }, c.state === s ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'certhost_hostingpackage_credits', help: 'Credits of each HostingPackage by state.', labelNames: ['namespace', 'name', 'type', 'state'], registers,
      collect() {
        this.reset();
        for (const p of sources.packages()) {
          for (const state of ['total', 'used', 'reserved', 'available'] as const) this.set({ namespace: p.namespace, name: p.name, type: p.type, state }, p[state]);
        }
      },
    });
    new Gauge({
      name: 'certhost_workqueue_depth', help: 'Keys waiting in each controller queue.', labelNames: ['controller'], registers,
      collect() {
        this.reset();
        for (const [controller, depth] of Object.entries(sources.queueDepths())) this.set({ controller }, depth);
      },
    });
  }
}
