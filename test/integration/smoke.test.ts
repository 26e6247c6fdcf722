// Smoke tests of the local control plane itself: it is the pinned Kubernetes, the repository's CRDs
// install and become Established, and RBAC is enforced (the operator's RBAC tests depend on it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
} from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import {
  crdFiles,
  expectedServerVersion,
  kubeconfigPath,
  loadKubeConfig,
  pinnedKubernetesVersion,
  usesExistingCluster,
} from './harness/cluster.ts';
import { useTestNamespace } from './harness/namespace.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metadata.name of every CustomResourceDefinition document in a file. */
function crdNamesIn(file: string): string[] {
  return loadAll(readFileSync(file, 'utf8'))
    .filter(isRecord)
    .filter((doc) => doc['kind'] === 'CustomResourceDefinition')
    .map((doc) => {
      const metadata = doc['metadata'];
      const name = isRecord(metadata) ? metadata['name'] : undefined;
      if (typeof name !== 'string') throw new Error(`${basename(file)}: a CustomResourceDefinition without metadata.name`);
      return name;
    });
}

/** A KubeConfig that authenticates with a bearer token instead of the admin certificate. */
function kubeConfigWithToken(admin: KubeConfig, user: string, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error(`${kubeconfigPath()} has no current cluster`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe('local control plane', function () {
  it('answers /version with the pinned Kubernetes version', async function () {
    const info = await loadKubeConfig().makeApiClient(VersionApi).getCode();
    assert.match(info.gitVersion, /^v\d+\.\d+\.\d+/);
    if (usesExistingCluster()) {
      this.skip(); // someone else's cluster: any version is fine
    }
    const expected = process.env['KUBEBUILDER_ASSETS'] ? expectedServerVersion() : pinnedKubernetesVersion();
    assert.equal(info.gitVersion, expected);
  });

  it('has every CRD of crds/ installed and Established', async function () {
    const files = crdFiles();
    assert.ok(files.length > 0, 'crds/ holds no *.yaml file: there is no CRD to install');
    const api = loadKubeConfig().makeApiClient(ApiextensionsV1Api);
    for (const file of files) {
      const names = crdNamesIn(file);
      assert.ok(names.length > 0, `${basename(file)} holds no CustomResourceDefinition`);
      for (const name of names) {
        const crd = await api.readCustomResourceDefinition({ name });
        const established = crd.status?.conditions?.find((c) => c.type === 'Established');
        assert.equal(established?.status, 'True', `${name} (${basename(file)}) is not Established`);
      }
    }
  });

  describe('RBAC', function () {
    const ns = useTestNamespace('smoke-rbac');

    it('denies a ServiceAccount that has no RoleBinding (SubjectAccessReview)', async function () {
      const kc = loadKubeConfig();
      await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccount({
        namespace: ns.name,
        body: { metadata: { name: 'nobody' } },
      });
      const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${ns.name}:nobody`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${ns.name}`, 'system:authenticated'],
            resourceAttributes: { namespace: ns.name, verb: 'list', resource: 'secrets' },
          },
        },
      });
      assert.equal(review.status?.allowed, false);
    });

    it('enforces RBAC on requests made with a ServiceAccount token', async function () {
      const admin = loadKubeConfig();
      const core = admin.makeApiClient(CoreV1Api);
      await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'reader' } } });
      const tokenRequest = await core.createNamespacedServiceAccountToken({
        namespace: ns.name,
        name: 'reader',
        body: { spec: { audiences: [], expirationSeconds: 600 } },
      });
      const token = tokenRequest.status?.token;
      assert.ok(token, 'TokenRequest returned no token (service-account signing key missing?)');
      const asReader = kubeConfigWithToken(admin, 'reader', token).makeApiClient(CoreV1Api);

      assert.equal(await statusOf(asReader.listNamespacedConfigMap({ namespace: ns.name })), 403);

      const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace: ns.name,
        body: {
          metadata: { name: 'configmap-reader' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns.name,
        body: {
          metadata: { name: 'reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns.name }],
        },
      });
      // The RBAC authorizer reads bindings from its informer cache: allow it a moment to see them.
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = await statusOf(asReader.listNamespacedConfigMap({ namespace: ns.name }));
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, 'the RoleBinding did not grant list configmaps');
      assert.equal(await statusOf(asReader.listNamespacedSecret({ namespace: ns.name })), 403);
    });
  });
});
