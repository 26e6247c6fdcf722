// `kubectl certhost plan`: the forecast from constructed objects, one case per rule it predicts.
import assert from 'node:assert/strict';
import { type ForecastEvent, forecast, forecastRows, renderForecast } from '../../../src/cli/forecast.ts';
import { defaultProfile } from '../../../src/domain/issuer-profile.ts';
import { days } from '../../../src/domain/time.ts';
import { certificate, dvSingle, entries, hosted, hostingPackage, issued, ovMulti, t } from './objects.ts';

const now = t('2025-01-02T00:00:00Z');
/** [date, certificate, event] of each event: what a reader of the table sees first. */
const brief = (events: readonly ForecastEvent[]): [string, string, string][] =>
  events.map((e) => [new Date(e.at).toISOString().replace('.000Z', 'Z'), e.certificate, e.event]);

describe('kubectl certhost plan (forecast)', () => {
  describe('hosted renewals', () => {
    it('R-EARLY plan lists the renewal of a hosted certificate at its successor\'s submitAt, with the R-CARRY validity', () => {
      const cert = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.deepEqual(brief(events), [['2025-12-02T00:00:00Z', 'shop', 'Renews']]);
      assert.equal(events[0]?.revision, 2);
      assert.match(events[0]?.detail ?? '', /valid until 2027-01-01T00:00:00Z, carrying 30 d/);
    });

    it('R-NOTIFY a hosted certificate sends no reminder once its successor is issued at the window', () => {
      const cert = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.equal(events.filter((e) => e.event === 'Reminder').length, 0);
    });

    it('R-CONSUME a queued successor\'s credits are reserved already: no NeedsCredits although the packages have none left', () => {
      const cert = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
      const packages = [
        hostingPackage('certs', 'Certificate', 2, { ledger: [...entries(1, 'consumed'), ...entries(1, 'reserved')] }),
        hostingPackage('hosting', 'Hosting', 1, { ledger: entries(1, 'reserved', 'hosting') }),
      ];
      const events = forecast({ certificates: [cert], packages, now, days: 400 });
      assert.deepEqual(events.map((e) => e.event), ['Renews']);
    });

    it('R-YEARS the end of the service period: the last successor\'s window, reminders and expiry follow the projected chain', () => {
      const cert = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
      const events = forecast({ certificates: [cert], packages: [hostingPackage('certs', 'Certificate', 1)], now, days: 800 });
      assert.deepEqual(brief(events), [
        ['2025-12-02T00:00:00Z', 'shop', 'Renews'],
        ['2026-12-02T00:00:00Z', 'shop', 'WindowOpens'],
        ['2026-12-02T00:00:00Z', 'shop', 'Reminder'],
        ['2026-12-17T00:00:00Z', 'shop', 'Reminder'],
        ['2026-12-25T00:00:00Z', 'shop', 'Reminder'],
        ['2027-01-01T00:00:00Z', 'shop', 'Expires'],
      ]);
      assert.match(events[5]?.detail ?? '', /service period ends/);
    });

    it('R-HOSTING-LATER hosting that wants a successor the credits cannot pay for needs credits now', () => {
      const cert = certificate('shop', {
        spec: { hosting: { enabled: true, servicePeriodYears: 2 } },
        status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
      });
      const packages = [hostingPackage('certs', 'Certificate', 5)];
      const events = forecast({ certificates: [cert], packages, now, days: 30 });
      assert.deepEqual(brief(events), [['2025-01-02T00:00:00Z', 'shop', 'NeedsCredits']]);
      assert.match(events[0]?.detail ?? '', /missing 1 hosting credit/);
    });
  });

  describe('unhosted certificates', () => {
    const blog = certificate('blog', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });

    it('R-WINDOW / R-NOTIFY / R-EXPIRED plan lists the window opening, the 30/15/7-day reminders and the expiry, by date', () => {
      const events = forecast({ certificates: [blog], packages: [hostingPackage('certs', 'Certificate', 1)], now, days: 400 });
      assert.deepEqual(brief(events), [
        ['2025-12-02T00:00:00Z', 'blog', 'WindowOpens'],
        ['2025-12-02T00:00:00Z', 'blog', 'Reminder'],
        ['2025-12-17T00:00:00Z', 'blog', 'Reminder'],
        ['2025-12-25T00:00:00Z', 'blog', 'Reminder'],
        ['2026-01-01T00:00:00Z', 'blog', 'Expires'],
      ]);
      assert.deepEqual(events.filter((e) => e.event === 'Reminder').map((e) => /^(\d+)-day/.exec(e.detail)?.[1]), ['30', '15', '7']);
    });

    it('R-NOTIFY plan lists the 15-day reminder when the 30-day one was already sent', () => {
      const cert = certificate('blog', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { reminders: { revision: 1, settled: [30] } }) });
      const events = forecast({ certificates: [cert], packages: [hostingPackage('certs', 'Certificate', 1)], now: t('2025-12-05T00:00:00Z'), days: 15 });
      assert.deepEqual(brief(events.filter((e) => e.event === 'Reminder')), [['2025-12-17T00:00:00Z', 'blog', 'Reminder']]);
      assert.match(events.find((e) => e.event === 'Reminder')?.detail ?? '', /^15-day expiry reminder for revision 1/);
    });

    it('R-NOTIFY several thresholds passed at once: only the nearest is due now', () => {
      const events = forecast({ certificates: [blog], packages: [], now: t('2025-12-27T00:00:00Z'), days: 2 });
      const reminders = events.filter((e) => e.event === 'Reminder');
      assert.deepEqual(brief(reminders), [['2025-12-27T00:00:00Z', 'blog', 'Reminder']]);
      assert.match(reminders[0]?.detail ?? '', /^7-day/);
    });

    it('R-NOTIFY spec.notifications.daysBefore replaces the default thresholds', () => {
      const cert = certificate('blog', { spec: { notifications: { daysBefore: [20, 3] } }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.deepEqual(brief(events.filter((e) => e.event === 'Reminder')), [
        ['2025-12-12T00:00:00Z', 'blog', 'Reminder'],
        ['2025-12-29T00:00:00Z', 'blog', 'Reminder'],
      ]);
    });

    it('R-INSUFFICIENT a manual renewal without a matching certificate credit needs credits when the window opens', () => {
      const events = forecast({ certificates: [blog], packages: [hostingPackage('certs', 'Certificate', 1, { ledger: entries(1, 'consumed') })], now, days: 400 });
      const needs = events.filter((e) => e.event === 'NeedsCredits');
      assert.deepEqual(brief(needs), [['2025-12-02T00:00:00Z', 'blog', 'NeedsCredits']]);
      assert.match(needs[0]?.detail ?? '', /missing 1 certificate credit of DigiCert\/DV\/single\/standard/);
    });

    it('R-SAME-SPEC a credit of another specification does not pay for the renewal', () => {
      const events = forecast({ certificates: [blog], packages: [hostingPackage('ov', 'Certificate', 5, { product: ovMulti })], now, days: 400 });
      assert.equal(events.filter((e) => e.event === 'NeedsCredits').length, 1);
    });

    it('R-TENANCY credits of another namespace do not count', () => {
      const events = forecast({ certificates: [blog], packages: [hostingPackage('certs', 'Certificate', 5, { namespace: 'other' })], now, days: 400 });
      assert.equal(events.filter((e) => e.event === 'NeedsCredits').length, 1);
    });

    it('R-INSUFFICIENT spec.hosting.packageSelector limits the packages a renewal may use', () => {
      const cert = certificate('blog', { spec: { hosting: { enabled: false, packageSelector: { matchLabels: { team: 'web' } } } }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const other = hostingPackage('certs', 'Certificate', 5, { labels: { team: 'data' } });
      assert.equal(forecast({ certificates: [cert], packages: [other], now, days: 400 }).filter((e) => e.event === 'NeedsCredits').length, 1);
      const web = hostingPackage('web', 'Certificate', 5, { labels: { team: 'web' } });
      assert.equal(forecast({ certificates: [cert], packages: [other, web], now, days: 400 }).filter((e) => e.event === 'NeedsCredits').length, 0);
    });

    it('R-INSUFFICIENT a package that expires before the window has nothing left then', () => {
      const events = forecast({ certificates: [blog], packages: [hostingPackage('certs', 'Certificate', 5, { expires: '2025-11-30T00:00:00Z' })], now, days: 400 });
      assert.equal(events.filter((e) => e.event === 'NeedsCredits').length, 1);
    });

    it('R-INSUFFICIENT two renewals share one credit: the earlier window gets it, the later one needs credits', () => {
      const early = certificate('early', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const late = certificate('late', { status: issued('2025-02-01T00:00:00Z', '2026-02-01T00:00:00Z') });
      const events = forecast({ certificates: [late, early], packages: [hostingPackage('certs', 'Certificate', 1)], now, days: 400 });
      assert.deepEqual(brief(events.filter((e) => e.event === 'NeedsCredits')), [['2026-01-02T00:00:00Z', 'late', 'NeedsCredits']]);
    });

    it('R-FREE-QUOTA a free certificate renews without credits', () => {
      const cert = certificate('free', { spec: { product: { ...dvSingle, grade: 'free' } }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.equal(events.filter((e) => e.event === 'NeedsCredits').length, 0);
      assert.match(events.find((e) => e.event === 'WindowOpens')?.detail ?? '', /no credit needed/);
    });

    it('R-NOT-RENEWABLE a test certificate has no window to renew in; it expires and needs a new purchase', () => {
      const cert = certificate('lab', { spec: { product: { ...dvSingle, grade: 'test' } }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.deepEqual(events.map((e) => e.event), ['Reminder', 'Reminder', 'Reminder', 'Expires']);
      assert.match(events[3]?.detail ?? '', /cannot be renewed \(R-NOT-RENEWABLE\)/);
    });

    it('R-NOT-RENEWABLE an uploaded certificate is never renewed, and gets no reminders (as the operator does)', () => {
      const cert = certificate('up', { spec: { source: 'Upload', upload: { secretRef: { name: 'third-party' } } }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { state: 'Uploaded' }) });
      const events = forecast({ certificates: [cert], packages: [], now, days: 400 });
      assert.deepEqual(brief(events), [['2026-01-01T00:00:00Z', 'up', 'Expires']]);
      assert.match(events[0]?.detail ?? '', /uploaded certificate is never renewed/);
    });

    it('R-INSUFFICIENT a renewal that waits for credits is reported now, and the certificate still expires', () => {
      const cert = certificate('blog', {
        status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', {
          state: 'ExpiringSoon',
          application: { revision: 2, purpose: 'Renewal', state: 'Pending', generation: 1 },
          conditions: [{ type: 'QuotaAvailable', status: 'False', reason: 'InsufficientCertificateCredits', message: 'Not enough credits: missing 1 certificate credit.', lastTransitionTime: '2025-12-10T00:00:00Z' }],
        }),
      });
      const events = forecast({ certificates: [cert], packages: [], now: t('2025-12-10T00:00:00Z'), days: 30 });
      assert.deepEqual(brief(events), [
        ['2025-12-10T00:00:00Z', 'blog', 'NeedsCredits'],
        ['2025-12-10T00:00:00Z', 'blog', 'Reminder'],
        ['2025-12-17T00:00:00Z', 'blog', 'Reminder'],
        ['2025-12-25T00:00:00Z', 'blog', 'Reminder'],
        ['2026-01-01T00:00:00Z', 'blog', 'Expires'],
      ]);
      assert.equal(events[0]?.revision, 2);
    });
  });

  describe('scope and order', () => {
    it('R-WINDOW only events within the N days are listed', () => {
      const blog = certificate('blog', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      assert.deepEqual(forecast({ certificates: [blog], packages: [], now, days: 30 }), []);
      assert.deepEqual(forecast({ certificates: [blog], packages: [], now, days: 334 }).map((e) => e.event), ['WindowOpens', 'NeedsCredits', 'Reminder']);
    });

    it('R-EXPIRED revoked and already expired certificates have nothing ahead', () => {
      const revoked = certificate('gone', { spec: { revoke: true }, status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { state: 'Revoked', revokedAt: '2025-01-01T00:00:00Z' }) });
      const expired = certificate('old', { status: issued('2023-01-01T00:00:00Z', '2024-01-01T00:00:00Z', { state: 'Expired' }) });
      assert.deepEqual(forecast({ certificates: [revoked, expired], packages: [], now, days: 800 }), []);
    });

    it('R-PROFILE the brand\'s profile decides where the window opens', () => {
      const blog = certificate('blog', { status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const events = forecast({ certificates: [blog], packages: [], now, days: 400, rulesFor: () => ({ profile: { ...defaultProfile, window: days(60) }, creditsRequired: false }) });
      assert.deepEqual(brief(events.filter((e) => e.event === 'WindowOpens')), [['2025-11-02T00:00:00Z', 'blog', 'WindowOpens']]);
      assert.equal(events.filter((e) => e.event === 'NeedsCredits').length, 0, 'a brand without credits needs none');
    });

    it('R-PROFILE under the CA/B schedule plan lists each certificate of the service year, then the next year', () => {
      const cab = { profile: { ...defaultProfile, cabSchedule: true }, creditsRequired: true };
      const base = hosted('shop', '2027-04-01T00:00:00Z', '2027-07-10T00:00:00Z', '2028-03-02T16:00:00Z');
      const cert = { ...base, status: { ...base.status, current: { ...base.status?.current, serviceYearEnd: '2028-03-31T00:00:00Z' } } } as typeof base;
      const events = forecast({ certificates: [cert], packages: [], now: t('2027-04-01T00:00:00Z'), days: 380, rulesFor: () => cab });
      assert.deepEqual(brief(events.filter((e) => e.event !== 'Reminder')), [
        ['2027-06-10T00:00:00Z', 'shop', 'RollsOver'],
        ['2027-08-19T00:00:00Z', 'shop', 'RollsOver'],
        ['2027-10-28T00:00:00Z', 'shop', 'RollsOver'],
        ['2028-01-06T00:00:00Z', 'shop', 'RollsOver'],
        ['2028-03-02T16:00:00Z', 'shop', 'Renews'], // the second year, when the window of the first year's last certificate opens
      ]);
      assert.match(events.find((e) => e.event === 'Renews')?.detail ?? '', /revision 2 .*valid until 2029-03-31T00:00:00Z/);
      assert.match(events[0]?.detail ?? '', /valid until 2027-09-18T00:00:00Z, at no credit/);
      // R-NOTIFY counts to the end of the year, not of each certificate inside it: only the 30-day reminder
      // comes before the next year is submitted (the last certificate's window is 85/3 d).
      assert.deepEqual(brief(events.filter((e) => e.event === 'Reminder')), [['2028-03-01T00:00:00Z', 'shop', 'Reminder']]);
    });

    it('events are sorted by date across namespaces and certificates', () => {
      const a = certificate('a', { namespace: 'zeta', status: issued('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z') });
      const b = hosted('b', '2025-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-01-30T00:00:00Z', { namespace: 'alpha' });
      const events = forecast({ certificates: [b, a], packages: [hostingPackage('c', 'Certificate', 1, { namespace: 'zeta' })], now, days: 400 });
      const dates = events.map((e) => e.at);
      assert.deepEqual(dates, [...dates].sort((x, y) => x - y));
      assert.deepEqual(brief(events).slice(-1), [['2026-01-30T00:00:00Z', 'b', 'Renews']]);
    });

    it('the table has the columns DATE, NAMESPACE, CERTIFICATE, EVENT, DETAIL', () => {
      const cert = hosted('shop', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-12-02T00:00:00Z');
      const text = renderForecast(forecastRows(forecast({ certificates: [cert], packages: [], now, days: 400 })), now, 400);
      const lines = text.split('\n');
      assert.match(lines[1] ?? '', /^DATE\s+NAMESPACE\s+CERTIFICATE\s+EVENT\s+DETAIL$/);
      assert.match(lines[2] ?? '', /^2025-12-02T00:00:00Z\s+shop\s+shop\s+Renews\s+hosted successor revision 2/);
      assert.match(renderForecast([], now, 5), /Nothing happens in this period/);
    });
  });
});
