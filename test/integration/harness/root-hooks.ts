// Mocha root hook plugin for test/integration and test/e2e: one control plane per run.
//
//   npx mocha --config test/integration/mocharc.json                      (all integration tests)
//   npx mocha --require test/integration/harness/root-hooks.ts test/integration/smoke.test.ts
//
// beforeAll starts etcd + kube-apiserver through hack/local-cluster.sh in a run-specific directory
// (or adopts $KUBECONFIG when CERTHOST_USE_EXISTING_CLUSTER=true) and installs crds/*.yaml;
// afterAll stops it, also after failures. SIGINT/SIGTERM stop it too, and the script's watchdog
// stops it if this process is killed outright.
import { installCrds, startCluster, stopCluster } from './cluster.ts';

// The first run may build kube-apiserver from source (tens of minutes on 2 cores).
const START_TIMEOUT_MS = 60 * 60 * 1000;

export const mochaHooks: Mocha.RootHookObject = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(START_TIMEOUT_MS);
    await startCluster();
    await installCrds();
  },
  afterAll(this: Mocha.Context): void {
    this.timeout(120_000);
    stopCluster();
  },
};
