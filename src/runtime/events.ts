// Events (events.k8s.io/v1), deduplicated: the same (object, reason, message) within the series window
// updates one Event's count instead of creating a new one, so a condition that persists does not flood.
import type { Clock } from './clock.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './informer.ts';
import type { Logger } from './logger.ts';
import { createHash } from 'node:crypto';

export type EventKind = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventKind, reason: string, action: string, note: string): void;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

export class ApiEventRecorder implements EventRecorder {
  private readonly sent = new Map<string, { name: string; count: number; at: number }>();
  private readonly client: KubeClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly controller: string;
  private readonly instance: string;

  constructor(client: KubeClient, clock: Clock, log: Logger, controller = 'certhost.io/operator', instance = 'certhost') {
    this.client = client;
    this.clock = clock;
    this.log = log;
    this.controller = controller;
    this.instance = instance;
  }

  record(obj: KubeObject, type: EventKind, reason: string, action: string, note: string): void {
    void this.write(obj, type, reason, action, note).catch((e: unknown) => {
      this.log.warn('could not record event', { reason, error: e instanceof Error ? e.message : String(e) });
    });
  }

  private async write(obj: KubeObject, type: EventKind, reason: string, action: string, note: string): Promise<void> {
    const ns = obj.metadata?.namespace ?? 'default';
    const id = createHash('sha256').update(`${obj.metadata?.uid}/${type}/${reason}/${note}`).digest('hex').slice(0, 16);
    const now = this.clock.now();
    const prev = this.sent.get(id);
    const path = `/apis/events.k8s.io/v1/namespaces/${ns}/events`;
    if (prev && now - prev.at < 10 * 60_000) {
      prev.count += 1;
      prev.at = now;
      await this.client.patch(`${path}/${prev.name}`, { series: { count: prev.count, lastObservedTime: microTime(now) } });
      return;
    }
    const name = `${obj.metadata?.name ?? 'object'}.${id}${(now % 1e6).toString(36)}`.slice(0, 253);
    await this.client.create(path, {
      apiVersion: 'events.k8s.io/v1', kind: 'Event',
      metadata: { name, namespace: ns },
      eventTime: microTime(now),
      reportingController: this.controller,
      reportingInstance: this.instance,
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: ns, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
    });
    this.sent.set(id, { name, count: 1, at: now });
    if (this.sent.size > 5000) this.sent.delete(this.sent.keys().next().value as string);
  }
}

/** For tests and for dry runs: keeps events in memory. */
export class MemoryEventRecorder implements EventRecorder {
  readonly events: { name: string; type: EventKind; reason: string; action: string; note: string }[] = [];
  record(obj: KubeObject, type: EventKind, reason: string, action: string, note: string): void {
    this.events.push({ name: obj.metadata?.name ?? '', type, reason, action, note });
  }
}
