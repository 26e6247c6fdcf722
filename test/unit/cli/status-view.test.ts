// `kubectl certhost status NAME`: the detail view of one certificate and its Events.
import assert from 'node:assert/strict';
import { type KubeEvent, MAX_EVENTS, certificateEvents, renderStatus, statusView } from '../../../src/cli/status-view.ts';
import { certificate, hosted, issued, t } from './objects.ts';

const now = t('2025-01-02T00:00:00Z');

function event(name: string, reason: string, at: string, extra: Partial<KubeEvent> = {}): KubeEvent {
  return {
    metadata: { name: `${name}.${reason}.${at}` }, eventTime: at.replace('Z', '.000000Z'), type: 'Normal', reason, note: `${reason} at ${at}`,
    regarding: { kind: 'Certificate', name, uid: `uid-shop-${name}` }, ...extra,
  };
}

describe('kubectl certhost status', () => {
  it('R-CARRY shows the current revision with its serial, validity, days left and carried-over days', () => {
    const status = issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { revision: 2 });
    if (status.current) status.current.carriedOverSeconds = 21 * 86400;
    const cert = certificate('shop', { status });
    const v = statusView(cert, [], now);
    assert.equal(v.revision, 2);
    assert.deepEqual([v.current?.serialNumber, v.current?.daysLeft, v.current?.carriedOverDays], ['0a1b2c', 364, 21]);
    const text = renderStatus(v);
    assert.match(text, /^ {2}Serial:\s+0a1b2c$/m);
    assert.match(text, /^ {2}Not After:\s+2026-01-01T00:00:00Z \(364 days left\)$/m);
    assert.match(text, /^ {2}Carried Over:\s+21 days$/m);
  });

  it('R-EARLY shows the queued successor with its submitAt, and the state with its console label', () => {
    const v = statusView(hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z'), [], now);
    assert.equal(v.hosted, true);
    const text = renderStatus(v);
    assert.match(text, /^State:\s+Hosted \(已托管\)$/m);
    assert.match(text, /^Successors:\n {2}REVISION\s+STATE\s+SUBMIT AT\n {2}2\s+Inactive\s+2025-12-02T00:00:00Z$/m);
  });

  it('R-VALIDATION-RECORDS lists the DNS and file records to publish', () => {
    const cert = certificate('shop', {
      status: {
        state: 'UnderReview', validation: [
          { domain: 'shop.example.com', method: 'DNS', recordType: 'TXT', recordName: '_dnsauth.shop.example.com', recordValue: 'abc123' },
          { domain: 'www.example.com', method: 'HTTP', path: 'http://www.example.com/.well-known/pki-validation/fileauth.txt', content: 'xyz' },
        ],
      },
    });
    const text = renderStatus(statusView(cert, [], now));
    assert.match(text, /shop\.example\.com\s+DNS TXT\s+_dnsauth\.shop\.example\.com\s+abc123/);
    assert.match(text, /www\.example\.com\s+HTTP\s+http:\/\/www\.example\.com\/\.well-known\/pki-validation\/fileauth\.txt\s+xyz/);
    assert.match(text, /^Current: <none>$/m);
  });

  it('shows deployments and history, and <none> for empty sections', () => {
    const cert = certificate('shop', {
      status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', {
        deployments: [{ target: 'cdn', domain: 'shop.example.com', serialNumber: '0a1b2c', state: 'Deployed', time: '2025-01-01T00:01:00Z' }],
        history: [{ revision: 0, serialNumber: 'old', notBefore: '2024-01-01T00:00:00Z', notAfter: '2025-01-01T00:00:00Z', endedBy: 'Renewed' }],
      }),
    });
    const text = renderStatus(statusView(cert, [], now));
    assert.match(text, /cdn\s+shop\.example\.com\s+0a1b2c\s+Deployed\s+2025-01-01T00:01:00Z/);
    assert.match(text, /0\s+old\s+2024-01-01T00:00:00Z\s+2025-01-01T00:00:00Z\s+Renewed/);
    assert.match(text, /^Successors: <none>$/m);
    assert.match(text, /^Events: <none>$/m);
  });

  it(`Events: only the certificate's own, newest last, at most ${MAX_EVENTS}`, () => {
    const cert = certificate('shop', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
    const mine = Array.from({ length: 12 }, (_, i) => event('shop', `R${i}`, `2025-01-01T00:00:${String(i).padStart(2, '0')}Z`));
    const others = [
      event('blog', 'Other', '2025-01-01T00:00:05Z'),
      event('shop', 'Target', '2025-01-01T00:00:05Z', { regarding: { kind: 'DeploymentTarget', name: 'shop' } }),
      event('shop', 'OldIncarnation', '2025-01-01T00:00:05Z', { regarding: { kind: 'Certificate', name: 'shop', uid: 'uid-before' } }),
    ];
    const shown = certificateEvents([...mine].reverse().concat(others), cert);
    assert.deepEqual(shown.map((e) => e.reason), ['R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11']);
  });

  it('Events: a series counts and sorts by its last occurrence', () => {
    const cert = certificate('shop');
    const shown = certificateEvents([
      event('shop', 'Repeated', '2025-01-01T00:00:00Z', { series: { count: 4, lastObservedTime: '2025-01-01T00:10:00.000000Z' } }),
      event('shop', 'Once', '2025-01-01T00:05:00Z'),
    ], cert);
    assert.deepEqual(shown.map((e) => [e.reason, e.count, e.time]), [['Once', 1, '2025-01-01T00:05:00Z'], ['Repeated', 4, '2025-01-01T00:10:00Z']]);
  });
});
