/** Public API of the test cluster: start/stop the control plane and the node agent. */
export { startTestCluster, type TestCluster, type TestClusterOptions } from './cluster.js';
export {
  type ControlPlane,
  type ControlPlaneOptions,
  startControlPlane,
  writeKubeconfig,
} from './control-plane.js';
export { type NodeAgent, type NodeAgentOptions, startNodeAgent } from './node-agent/agent.js';
export {
  containerArgv,
  defaultImageTable,
  defaultTestImages,
  type ImageMapping,
  type ImageTable,
  imageTableFromEnv,
  resolveImage,
  SAMPLE_TASK_MAIN,
  type TestImages,
} from './node-agent/images.js';
export type { NodeCapacity } from './node-agent/node.js';
export { kubeBinDir, provisionScript } from './paths.js';
