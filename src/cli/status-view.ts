// `kubectl certhost status NAME`: one certificate the way the console's detail page shows it: state and
// conditions, the current revision (serial, validity, carry-over), queued successors, the records to
// publish for validation, deployments, history, and the latest Events about it.
import type {
  Certificate, CertificateDeploymentStatus, HistoryEntry, SuccessorStatus, ValidationRecordStatus,
} from '../api/certificate-types.ts';
import type { Condition } from '../api/conditions.ts';
import { isCertificateState, stateDisplayNames, stateLabels } from '../api/states.ts';
import { DAY, type Instant, formatInstant, parseInstant } from '../domain/time.ts';
import { daysUntil, isHostedNow, nameOf, namespaceOf, productText } from './certificate-facts.ts';
import { renderFields, renderTable } from './table.ts';

/** At most this many Events are shown, the newest last. */
export const MAX_EVENTS = 10;

/** An events.k8s.io/v1 Event, the fields the plugin reads. */
export interface KubeEvent {
  metadata?: { name?: string; creationTimestamp?: string };
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  deprecatedLastTimestamp?: string | null;
  type?: string;
  reason?: string;
  action?: string;
  note?: string;
  regarding?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface EventView {
  time: string;
  type: string;
  reason: string;
  count: number;
  message: string;
}

export interface CurrentView {
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  carriedOverDays: number;
  issuer: string;
  keyAlgorithm: string;
  fingerprintSHA256: string;
  requestedNotAfter?: string;
  /** R-PROFILE: the end of the service year, when more certificates of it follow. */
  serviceYearEnd?: string;
}

export interface StatusView {
  name: string;
  namespace: string;
  state: string;
  domains: string[];
  product: string;
  secretName: string;
  source: string;
  hosted: boolean;
  hosting: { enabled: boolean; servicePeriodYears: number; servicePeriod?: { start: string; end: string; years: number } };
  revision: number;
  current?: CurrentView;
  renewalTime?: string;
  conditions: Condition[];
  successors: SuccessorStatus[];
  validation: ValidationRecordStatus[];
  deployments: CertificateDeploymentStatus[];
  history: HistoryEntry[];
  events: EventView[];
}

/** When an Event last happened: its series, else its eventTime, else what older writers set. */
export function eventInstant(e: KubeEvent): Instant {
  for (const s of [e.series?.lastObservedTime, e.eventTime, e.deprecatedLastTimestamp, e.metadata?.creationTimestamp]) {
    if (!s) continue;
    const at = Date.parse(s);
    if (!Number.isNaN(at)) return at;
  }
  return 0;
}

/** The Events about one Certificate, newest last, at most {@link MAX_EVENTS}. */
export function certificateEvents(events: readonly KubeEvent[], cert: Certificate): EventView[] {
  const uid = cert.metadata.uid;
  return events
    .filter((e) => e.regarding?.name === nameOf(cert) && (e.regarding.kind === undefined || e.regarding.kind === 'Certificate'))
    // A Certificate deleted and created again under the same name has a new uid: not its Events.
    .filter((e) => uid === undefined || e.regarding?.uid === undefined || e.regarding.uid === uid)
    .map((e, i) => ({ e, i, at: eventInstant(e) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .slice(-MAX_EVENTS)
    .map(({ e, at }) => ({ time: formatInstant(at), type: e.type ?? '', reason: e.reason ?? '', count: e.series?.count ?? 1, message: e.note ?? '' }));
}

export function statusView(cert: Certificate, events: readonly KubeEvent[], now: Instant): StatusView {
  const st = cert.status ?? {};
  const c = st.current;
  const notAfter = c ? parseInstant(c.notAfter) : null;
  const current: CurrentView | undefined = c ? {
    serialNumber: c.serialNumber, notBefore: c.notBefore, notAfter: c.notAfter,
    daysLeft: notAfter === null ? 0 : daysUntil(notAfter, now),
    carriedOverDays: Math.round((c.carriedOverSeconds * 1000 / DAY) * 100) / 100,
    issuer: c.issuer, keyAlgorithm: c.keyAlgorithm, fingerprintSHA256: c.fingerprintSHA256,
    ...(c.requestedNotAfter ? { requestedNotAfter: c.requestedNotAfter } : {}),
    ...(c.serviceYearEnd ? { serviceYearEnd: c.serviceYearEnd } : {}),
  } : undefined;
  const period = st.servicePeriod;
  return {
    name: nameOf(cert), namespace: namespaceOf(cert), state: st.state ?? '',
    domains: [...cert.spec.domains], product: productText(cert), secretName: cert.spec.secretName, source: cert.spec.source ?? 'Issue',
    hosted: isHostedNow(cert),
    hosting: {
      enabled: cert.spec.hosting?.enabled ?? false, servicePeriodYears: cert.spec.hosting?.servicePeriodYears ?? 1,
      ...(period ? { servicePeriod: { start: period.start, end: period.end, years: period.years } } : {}),
    },
    revision: st.revision ?? 0,
    ...(current ? { current } : {}),
    ...(st.renewalTime ? { renewalTime: st.renewalTime } : {}),
    conditions: st.conditions ?? [],
    successors: st.successors ?? [],
    validation: st.validation ?? [],
    deployments: st.deployments ?? [],
    history: st.history ?? [],
    events: certificateEvents(events, cert),
  };
}

function stateText(state: string): string {
  if (state === '') return '(not reconciled yet)';
  return isCertificateState(state) ? `${stateDisplayNames[state]} (${stateLabels[state]})` : state;
}

function section(title: string, body: string | null): string {
  return body === null ? `${title}: <none>\n` : `${title}:\n${body}`;
}

export function renderStatus(v: StatusView): string {
  const hosting = v.hosting.enabled
    ? `enabled, service period ${v.hosting.servicePeriodYears} year${v.hosting.servicePeriodYears === 1 ? '' : 's'}${v.hosting.servicePeriod ? ` (${v.hosting.servicePeriod.start} to ${v.hosting.servicePeriod.end})` : ''}; ${v.hosted ? 'hosted' : 'not hosted (no successor queued)'}`
    : 'disabled';
  const out: string[] = [renderFields([
    ['Name', v.name], ['Namespace', v.namespace], ['State', stateText(v.state)], ['Domains', v.domains.join(', ')],
    ['Product', v.product || (v.source === 'Upload' ? 'uploaded' : '')], ['Secret', v.secretName], ['Hosting', hosting],
    ['Revision', v.revision], ['Renewal Window', v.renewalTime ? `opens ${v.renewalTime}` : null],
  ])];
  const c = v.current;
  out.push(section('Current', c ? renderFields([
    ['Serial', c.serialNumber], ['Not Before', c.notBefore],
    ['Not After', `${c.notAfter} (${c.daysLeft < 0 ? `expired ${-c.daysLeft} days ago` : `${c.daysLeft} days left`})`],
    ['Carried Over', `${c.carriedOverDays} days`], ['Issuer', c.issuer], ['Key', c.keyAlgorithm], ['SHA-256', c.fingerprintSHA256],
    ...(c.requestedNotAfter ? [['Requested Not After', `${c.requestedNotAfter} (cut by the issuing CA, R-CAP)`] as const] : []),
    ...(c.serviceYearEnd ? [['Service Year Ends', `${c.serviceYearEnd} (the next certificate of the year follows when this one's window opens, R-PROFILE)`] as const] : []),
  ], '  ') : null));
  out.push(section('Conditions', v.conditions.length === 0 ? null
    : renderTable(['Type', 'Status', 'Reason', 'Message'], v.conditions.map((x) => [x.type, x.status, x.reason, x.message]), { indent: '  ' })));
  out.push(section('Successors', v.successors.length === 0 ? null
    : renderTable(['Revision', 'State', 'Submit At'], v.successors.map((s) => [s.revision, s.state, s.submitAt]), { indent: '  ' })));
  out.push(section('Validation (publish these records)', v.validation.length === 0 ? null
    : renderTable(['Domain', 'Method', 'Name / URL', 'Value / Content'], v.validation.map((r) => r.method === 'DNS'
      ? [r.domain, `DNS ${r.recordType ?? 'TXT'}`, r.recordName, r.recordValue]
      : [r.domain, 'HTTP', r.path, r.content]), { indent: '  ' })));
  out.push(section('Deployments', v.deployments.length === 0 ? null
    : renderTable(['Target', 'Domain', 'Serial', 'State', 'Time', 'Message'], v.deployments.map((d) => [d.target, d.domain, d.serialNumber, d.state, d.time, d.message ?? '']), { indent: '  ', empty: '' })));
  out.push(section('History', v.history.length === 0 ? null
    : renderTable(['Revision', 'Serial', 'Not Before', 'Not After', 'Ended By'], v.history.map((h) => [h.revision, h.serialNumber, h.notBefore, h.notAfter, h.endedBy]), { indent: '  ' })));
  out.push(section('Events', v.events.length === 0 ? null
    : renderTable(['Time', 'Type', 'Reason', 'Count', 'Message'], v.events.map((e) => [e.time, e.type, e.reason, e.count, e.message]), { indent: '  ' })));
  return out.join('');
}
