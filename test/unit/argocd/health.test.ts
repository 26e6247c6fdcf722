// Argo CD health checks (config/argocd/health/*.lua, docs/gitops.md): each script runs in a real Lua VM
// (fengari, with Argo CD's sandbox of base + table libraries) against objects shaped like what the
// operator writes, covering every branch; a Lua interpreter on PATH, when there is one, must agree.
// The argocd-cm patch must carry the scripts verbatim.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { Certificate, CertificateSource } from '../../../src/api/certificate-types.ts';
import { type Condition, type ConditionStatus, ConditionType, Reason } from '../../../src/api/conditions.ts';
import type { DeploymentTarget } from '../../../src/api/deployment-target-types.ts';
import type { HostingPackage } from '../../../src/api/hosting-package-types.ts';
import { type CertificateState, certificateStates, stateLabels } from '../../../src/api/states.ts';
import { readyCondition } from '../../../src/domain/conditions.ts';
import {
  type HealthStatus, argoHealthStatuses, cliProgram, findLuaInterpreter, luaString, runHealthCli, runHealthFengari, toLuaLiteral,
} from './lua-runner.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const kinds = ['Certificate', 'HostingPackage', 'DeploymentTarget'] as const;
type Kind = (typeof kinds)[number];
const scriptPath = (kind: Kind): string => join(root, 'config', 'argocd', 'health', `certhost.io_${kind}.lua`);
const script = (kind: Kind): string => readFileSync(scriptPath(kind), 'utf8');
const interpreter = findLuaInterpreter();

/** Runs the kind's script in fengari and, when an interpreter is on PATH, checks that it agrees. */
function health(kind: Kind, obj: unknown): HealthStatus {
  const src = script(kind);
  const result = runHealthFengari(src, obj);
  assert.ok((argoHealthStatuses as readonly string[]).includes(result.status), `invalid status ${result.status}`);
  if (interpreter !== null) assert.deepEqual(runHealthCli(interpreter, src, obj), result, `${interpreter} disagrees with fengari`);
  return result;
}

const T = '2025-08-15T00:00:00Z';

function cond(type: string, status: ConditionStatus, reason: string, message: string, observedGeneration = 1): Condition {
  return { type, status, reason, message, observedGeneration, lastTransitionTime: T };
}

/** Ready as the operator derives it from the state (src/domain/conditions.ts). */
function readyFor(state: CertificateState, detail?: string): Condition {
  return { ...readyCondition(state, detail), observedGeneration: 1, lastTransitionTime: T };
}

interface CertOptions {
  generation?: number;
  observedGeneration?: number;
  source?: CertificateSource;
  notAfter?: string;
}

function certificate(state: CertificateState | undefined, conditions: Condition[] | undefined, o: CertOptions = {}): Certificate {
  return {
    apiVersion: 'certhost.io/v1alpha1',
    kind: 'Certificate',
    metadata: { name: 'shop', namespace: 'web', uid: 'u-1', ...(o.generation === undefined ? { generation: 1 } : { generation: o.generation }) },
    spec: {
      domains: ['shop.example.com', 'www.shop.example.com'],
      product: { brand: 'DigiCert', type: 'DV', domainType: 'multi', grade: 'standard' },
      secretName: 'shop-tls',
      ...(o.source === undefined ? {} : { source: o.source }),
    },
    status: {
      ...(state === undefined ? {} : { state }),
      observedGeneration: o.observedGeneration ?? 1,
      ...(conditions === undefined ? {} : { conditions }),
      ...(o.notAfter === undefined ? {} : {
        revision: 1,
        current: {
          serialNumber: '0a1b', fingerprintSHA256: 'ff', notBefore: '2024-10-01T00:00:00Z', notAfter: o.notAfter,
          carriedOverSeconds: 0, issuer: 'CN=certhost DigiCert CA', keyAlgorithm: 'ECDSA P-256',
        },
      }),
    },
  };
}

function hostingPackage(conditions: Condition[] | undefined, generation = 1, observedGeneration = 1): HostingPackage {
  return {
    apiVersion: 'certhost.io/v1alpha1',
    kind: 'HostingPackage',
    metadata: { name: 'web-hosting', namespace: 'web', generation },
    spec: { type: 'Hosting', quantity: 10 },
    status: { observedGeneration, total: 10, used: 3, reserved: 1, available: 6, ...(conditions === undefined ? {} : { conditions }) },
  };
}

function deploymentTarget(conditions: Condition[] | undefined, generation = 1, observedGeneration = 1): DeploymentTarget {
  return {
    apiVersion: 'certhost.io/v1alpha1',
    kind: 'DeploymentTarget',
    metadata: { name: 'shop-cdn', namespace: 'web', generation, finalizers: ['certhost.io/cleanup'] },
    spec: { type: 'CDN', ingress: { className: 'cdn' }, domains: ['shop.example.com'] },
    status: { observedGeneration, deployments: [], ...(conditions === undefined ? {} : { conditions }) },
  };
}

const withoutStatus = <T extends { status?: unknown }>(o: T): T => {
  const copy = { ...o };
  delete copy.status;
  return copy;
};

describe('Argo CD health checks (config/argocd)', () => {
  describe('Certificate', () => {
    it('is Progressing before the operator wrote any status', () => {
      assert.deepEqual(health('Certificate', withoutStatus(certificate('Issued', []))), { status: 'Progressing', message: 'Waiting for the operator to report status.' });
    });
    it('is Progressing while status.observedGeneration is behind metadata.generation', () => {
      const c = certificate('Issued', [readyFor('Issued')], { generation: 3, observedGeneration: 2 });
      assert.deepEqual(health('Certificate', c), { status: 'Progressing', message: 'Waiting for the operator to observe generation 3.' });
    });
    it('is Progressing while observedGeneration is missing but the object has a generation', () => {
      const c = certificate('Issued', [readyFor('Issued')]);
      delete c.status?.observedGeneration;
      assert.equal(health('Certificate', c).status, 'Progressing');
    });
    it('skips the generation check for an object without metadata.generation', () => {
      const c = certificate('Issued', [readyFor('Issued')]);
      delete c.metadata.generation;
      assert.equal(health('Certificate', c).status, 'Healthy');
    });
    it('is Progressing without a Ready condition or a state', () => {
      assert.deepEqual(health('Certificate', certificate(undefined, [])), { status: 'Progressing', message: 'Waiting for the Ready condition.' });
      assert.equal(health('Certificate', certificate('Issued', undefined)).status, 'Progressing');
      assert.equal(health('Certificate', certificate(undefined, [readyFor('Issued')])).status, 'Progressing');
    });

    // Spec section 7: every console state has a health, with Ready as the operator derives it.
    const expected: Record<CertificateState, HealthStatus['status']> = {
      PendingApplication: 'Progressing', UnderReview: 'Progressing', Inactive: 'Progressing',
      Issued: 'Healthy', ExpiringSoon: 'Healthy', Hosted: 'Healthy', AutoDeploy: 'Healthy', Uploaded: 'Healthy',
      Expired: 'Degraded', Revoked: 'Degraded', ReviewFailed: 'Degraded',
    };
    for (const state of certificateStates) {
      it(`state ${state} (${stateLabels[state]}) is ${expected[state]}`, () => {
        const ready = readyFor(state);
        const h = health('Certificate', certificate(state, [cond(ConditionType.InRenewalWindow, 'False', Reason.NotInWindow, 'later'), ready]));
        assert.equal(h.status, expected[state]);
        assert.ok(h.message.startsWith(`${state}: ${ready.message}`), h.message);
      });
    }

    it('ExpiringSoon is Healthy and says when it expires and what to do', () => {
      const c = certificate('ExpiringSoon', [readyFor('ExpiringSoon')], { notAfter: '2025-10-01T00:00:00Z' });
      assert.deepEqual(health('Certificate', c), {
        status: 'Healthy',
        message: 'ExpiringSoon: The certificate is ExpiringSoon and can be served. It expires at 2025-10-01T00:00:00Z; renew it (annotation certhost.io/renew) or enable hosting.',
      });
    });
    it('an uploaded certificate in its window asks for its replacement (uploads are never renewed)', () => {
      const c = certificate('ExpiringSoon', [readyFor('ExpiringSoon')], { notAfter: '2025-10-01T00:00:00Z', source: 'Upload' });
      assert.equal(health('Certificate', c).message, 'ExpiringSoon: The certificate is ExpiringSoon and can be served. It expires at 2025-10-01T00:00:00Z; upload its replacement.');
    });
    it('ExpiringSoon without status.current still has a message', () => {
      assert.match(health('Certificate', certificate('ExpiringSoon', [readyFor('ExpiringSoon')])).message, /It expires at its notAfter;/);
    });
    it('PendingApplication waiting for credits is Progressing with the credit message', () => {
      const msg = 'Needs 1 certificate credit(s) of DigiCert DV multi standard; 0 available.';
      const c = certificate('PendingApplication', [
        readyFor('PendingApplication', msg),
        cond(ConditionType.QuotaAvailable, 'False', Reason.InsufficientCertificateCredits, msg),
      ]);
      assert.deepEqual(health('Certificate', c), { status: 'Progressing', message: `PendingApplication: ${msg}` });
    });
    it('ReviewFailed is Degraded with the review message', () => {
      const msg = 'Validation did not pass before the review timed out (R-REVIEW); the credits were returned.';
      assert.deepEqual(health('Certificate', certificate('ReviewFailed', [readyFor('ReviewFailed', msg)])), { status: 'Degraded', message: `ReviewFailed: ${msg}` });
    });
    it('Expired is Degraded even if Ready were left True', () => {
      assert.equal(health('Certificate', certificate('Expired', [readyFor('Issued')])).status, 'Degraded');
    });
    for (const reason of [Reason.SecretConflict, Reason.InvalidSpec, Reason.UploadSecretNotFound, Reason.UploadInvalid]) {
      it(`a Ready=False override ${reason} needs a person: Degraded`, () => {
        const state: CertificateState = reason === Reason.SecretConflict ? 'Issued' : 'PendingApplication';
        const c = certificate(state, [cond(ConditionType.Ready, 'False', reason, `${reason} details.`)]);
        assert.deepEqual(health('Certificate', c), { status: 'Degraded', message: `${reason}: ${reason} details.` });
      });
    }
    it('Ready=Unknown is Progressing', () => {
      const h = health('Certificate', certificate('Issued', [cond(ConditionType.Ready, 'Unknown', 'Checking', '')]));
      assert.deepEqual(h, { status: 'Progressing', message: 'Checking' });
    });
    it('a condition without reason or message still yields a message', () => {
      const c = certificate('Issued', [{ type: 'Ready', status: 'True', lastTransitionTime: T } as Condition]);
      assert.deepEqual(health('Certificate', c), { status: 'Healthy', message: 'Unknown' });
    });
    it('carries non-ASCII messages through unchanged', () => {
      const h = health('Certificate', certificate('Issued', [readyFor('Issued', `证书${stateLabels.Issued} "quoted" \\ tab\tend`)]));
      assert.equal(h.message, `Issued: 证书${stateLabels.Issued} "quoted" \\ tab\tend`);
    });
  });

  describe('HostingPackage', () => {
    it('is Progressing without status, with a stale observedGeneration, or without Ready', () => {
      assert.deepEqual(health('HostingPackage', withoutStatus(hostingPackage([]))), { status: 'Progressing', message: 'Waiting for the operator to report status.' });
      assert.deepEqual(health('HostingPackage', hostingPackage([], 2, 1)), { status: 'Progressing', message: 'Waiting for the operator to observe generation 2.' });
      assert.deepEqual(health('HostingPackage', hostingPackage([])), { status: 'Progressing', message: 'Waiting for the Ready condition.' });
    });
    it('is Healthy while credits are available', () => {
      const h = health('HostingPackage', hostingPackage([cond('Ready', 'True', Reason.CreditsAvailable, '6 of 10 credits available.')]));
      assert.deepEqual(h, { status: 'Healthy', message: 'CreditsAvailable: 6 of 10 credits available.' });
    });
    it('is Degraded when expired', () => {
      const msg = 'The package expired at 2026-12-31T23:59:59Z; it spends no new credits. Add a new package.';
      assert.deepEqual(health('HostingPackage', hostingPackage([cond('Ready', 'False', Reason.Expired, msg)])), { status: 'Degraded', message: `Expired: ${msg}` });
    });
    it('is Degraded when every credit is used or reserved (only a person can add credits)', () => {
      const msg = 'All 10 credits are used or reserved; raise spec.quantity or add a package.';
      assert.deepEqual(health('HostingPackage', hostingPackage([cond('Ready', 'False', Reason.CreditsExhausted, msg)])), { status: 'Degraded', message: `CreditsExhausted: ${msg}` });
    });
    it('is Progressing when Ready is Unknown', () => {
      assert.equal(health('HostingPackage', hostingPackage([cond('Ready', 'Unknown', 'Counting', 'counting')])).status, 'Progressing');
    });
  });

  describe('DeploymentTarget', () => {
    const ready = cond('Ready', 'True', Reason.TargetReady, 'The target is usable.');
    it('is Progressing without status, with a stale observedGeneration, or without conditions', () => {
      assert.deepEqual(health('DeploymentTarget', withoutStatus(deploymentTarget([]))), { status: 'Progressing', message: 'Waiting for the operator to report status.' });
      assert.deepEqual(health('DeploymentTarget', deploymentTarget([ready], 4, 3)), { status: 'Progressing', message: 'Waiting for the operator to observe generation 4.' });
      assert.deepEqual(health('DeploymentTarget', deploymentTarget(undefined)), { status: 'Progressing', message: 'Waiting for the Deployed condition.' });
      assert.deepEqual(health('DeploymentTarget', deploymentTarget([ready])), { status: 'Progressing', message: 'Waiting for the Deployed condition.' });
    });
    it('is Degraded when only a failed Ready is there', () => {
      const h = health('DeploymentTarget', deploymentTarget([cond('Ready', 'False', Reason.DomainNotFound, 'shop shop.example.com: DomainNotFound: not on this CDN')]));
      assert.deepEqual(h, { status: 'Degraded', message: 'DomainNotFound: shop shop.example.com: DomainNotFound: not on this CDN' });
    });
    it('is Healthy when every deployment serves its certificate', () => {
      const h = health('DeploymentTarget', deploymentTarget([ready, cond('Deployed', 'True', Reason.Deployed, '2 deployment(s) serve their certificate.')]));
      assert.deepEqual(h, { status: 'Healthy', message: 'Deployed: 2 deployment(s) serve their certificate.' });
    });
    it('is Healthy with nothing deployed yet (NoTargets)', () => {
      const h = health('DeploymentTarget', deploymentTarget([ready, cond('Deployed', 'False', Reason.NoTargets, 'No certificate is deployed to this target yet.')]));
      assert.deepEqual(h, { status: 'Healthy', message: 'Nothing deployed yet.' });
    });
    it('is Progressing while a rollout or its verification is in progress', () => {
      const h = health('DeploymentTarget', deploymentTarget([ready, cond('Deployed', 'False', Reason.DeploymentInProgress, '1 deployment(s) in progress.')]));
      assert.deepEqual(h, { status: 'Progressing', message: 'DeploymentInProgress: 1 deployment(s) in progress.' });
    });
    for (const reason of [Reason.DeploymentFailed, Reason.DomainNotFound, Reason.DomainNotOnboarded, Reason.VerificationFailed, Reason.NamespaceNotAllowed, Reason.SecretConflict]) {
      it(`is Degraded when a deployment failed with ${reason}`, () => {
        const msg = `shop shop.example.com (web): ${reason}: details`;
        const h = health('DeploymentTarget', deploymentTarget([cond('Ready', 'False', reason, msg), cond('Deployed', 'False', reason, msg)]));
        assert.deepEqual(h, { status: 'Degraded', message: `${reason}: ${msg}` });
      });
    }
    it('is Progressing when Deployed is Unknown', () => {
      assert.equal(health('DeploymentTarget', deploymentTarget([ready, cond('Deployed', 'Unknown', 'Probing', 'probing')])).status, 'Progressing');
    });
  });

  describe('the scripts and their installation', () => {
    it('argocd-cm-patch.yaml carries each script verbatim under resource.customizations.health.certhost.io_<Kind>', () => {
      const doc = load(readFileSync(join(root, 'config', 'argocd', 'argocd-cm-patch.yaml'), 'utf8')) as { kind?: string; metadata?: { name?: string; namespace?: string }; data?: Record<string, string> };
      assert.equal(doc.kind, 'ConfigMap');
      assert.deepEqual([doc.metadata?.name, doc.metadata?.namespace], ['argocd-cm', 'argocd']);
      assert.deepEqual(Object.keys(doc.data ?? {}).sort(), kinds.map((k) => `resource.customizations.health.certhost.io_${k}`).sort());
      for (const k of kinds) {
        assert.equal(doc.data?.[`resource.customizations.health.certhost.io_${k}`], script(k), `the patch's ${k} script differs from ${scriptPath(k)}; copy the file into the patch`);
      }
    });
    it('use only Lua 5.1 syntax (Argo CD runs gopher-lua) and no library beyond base and table', () => {
      for (const k of kinds) {
        const code = script(k).split('\n').map((l) => l.replace(/--.*$/, '')).join('\n');
        assert.doesNotMatch(code, /\bgoto\b|\/\/|<<|>>|[&|]|~(?!=)/, `${k}: Lua 5.3 operator`);
        assert.doesNotMatch(code, /\b(string|math|os|io|utf8|require|debug)\b\s*[.(]|:\s*\w+\s*\(/, `${k}: library call`);
      }
    });
    it('the sandbox really lacks the string library (a script using it fails)', () => {
      assert.throws(() => runHealthFengari('return {status = string.format("%s", "Healthy")}', {}), /string/);
      assert.deepEqual(runHealthFengari('return {status = string.format("%s", "Healthy")}', {}, { openLibs: true }), { status: 'Healthy', message: '' });
    });
    it('objects become Lua tables the way Argo CD decodes them', () => {
      assert.equal(toLuaLiteral({ a: [1, 'x'], b: null, c: undefined, d: true }), '{["a"] = {1, "x"}, ["d"] = true}');
      assert.equal(luaString('é"\\\n'), '"\\195\\169\\"\\\\\\010"');
      const h = runHealthFengari('return {status = obj.list[2].name .. tostring(#obj.list) .. tostring(obj.n), message = obj.s}', { list: [{ name: 'a' }, { name: 'b' }], n: 7, s: '已托管' });
      assert.deepEqual(h, { status: 'b27', message: '已托管' });
    });
    it(`the interpreter program (${interpreter ?? 'no lua on PATH: checked in fengari'}) returns what the script returns`, () => {
      // Run the CLI program in fengari with io.write captured, so the cross-check path is tested even without lua on PATH.
      const prelude = 'io = { write = function(...) __out = table.concat({...}) end }';
      const program = `${cliProgram(script('HostingPackage'), hostingPackage([cond('Ready', 'True', Reason.CreditsAvailable, '6 of 10 credits available.')]))}\nreturn { status = __out, message = "" }`;
      assert.deepEqual(runHealthFengari(program, {}, { openLibs: true, prelude }), { status: 'Healthy\tCreditsAvailable: 6 of 10 credits available.', message: '' });
    });
  });
});
