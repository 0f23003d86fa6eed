#!/usr/bin/env node
import { startTestCluster } from './cluster.js';

/**
 * Developer entry point: `node test/cluster/dist/cli.js up [--cpu 8] [--memory 16Gi] [--pods 110]`
 * starts the control plane and a node agent, prints the kubeconfig path and runs until Ctrl-C.
 * Use it for benchmarks or for poking at the cluster with kubectl while developing.
 */

function usage(): never {
  process.stderr.write('usage: cli.js up [--cpu N] [--memory QTY] [--pods N] [--keep-state]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'up') usage();
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--keep-state') flags.set('keep-state', 'true');
    else if (flag.startsWith('--') && rest[i + 1] !== undefined) flags.set(flag.slice(2), rest[++i]!);
    else usage();
  }
  const cluster = await startTestCluster({
    controlPlane: { keepState: flags.has('keep-state') },
    agent: {
      capacity: {
        ...(flags.has('cpu') ? { cpu: flags.get('cpu') } : {}),
        ...(flags.has('memory') ? { memory: flags.get('memory') } : {}),
        ...(flags.has('pods') ? { pods: flags.get('pods') } : {}),
      },
    },
  });
  // The path alone on stdout, so scripts can do KUBECONFIG=$(… | head -n1).
  process.stdout.write(`${cluster.kubeconfigPath}\n`);
  process.stderr.write(
    `test cluster up: ${cluster.controlPlane.server}, node ${cluster.agent.nodeName}, logs in ${cluster.controlPlane.logDir}\n` +
      `  export KUBECONFIG=${cluster.kubeconfigPath}\nCtrl-C stops it.\n`,
  );
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping…\n');
    cluster.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Keep the event loop alive; the managed processes are unref'd.
  setInterval(() => {}, 1 << 30);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
