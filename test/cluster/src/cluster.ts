import { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './control-plane.js';
import { type NodeAgent, type NodeAgentOptions, startNodeAgent } from './node-agent/agent.js';

/** Control plane plus one node agent: what the e2e tier and `cli.js up` start. */

export interface TestCluster {
  controlPlane: ControlPlane;
  agent: NodeAgent;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  controlPlane?: ControlPlaneOptions;
  agent?: NodeAgentOptions;
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const controlPlane = await startControlPlane(opts.controlPlane);
  let agent: NodeAgent;
  try {
    // The agent's directory lives inside the control plane's, so a sweep after a crash removes both.
    agent = await startNodeAgent(controlPlane.kubeConfig(), {
      ca: controlPlane.ca,
      baseDir: controlPlane.stateDir,
      ...opts.agent,
    });
  } catch (err) {
    await controlPlane.stop();
    throw err;
  }
  return {
    controlPlane,
    agent,
    kubeconfigPath: controlPlane.kubeconfigPath,
    stop: async () => {
      await agent.stop();
      await controlPlane.stop();
    },
  };
}
