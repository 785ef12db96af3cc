import { parseArgs } from 'node:util';
import { startSimulator } from '../src/simulator';

// Standalone WeChat + Weibo API simulator: node dist/scripts/simulator.js --port 4100 --size 2000 --seed 1

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4100' },
      host: { type: 'string', default: '127.0.0.1' },
      size: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      latency: { type: 'string', default: '20' },
    },
  });
  const sim = await startSimulator({
    port: Number(values.port),
    host: values.host,
    size: Number(values.size),
    seed: Number(values.seed),
    latencyMs: Number(values.latency),
  });
  console.log(`simulator listening on ${sim.url} (seed ${values.seed}, ${values.size} accounts)`);
  const stop = (signal: string): void => {
    console.log(`${signal}: closing simulator`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
