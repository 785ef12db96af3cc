import { parseArgs } from 'node:util';
import { ConfigValidationError, loadConfig } from '../src/config/app-config';
import { startSimulator } from '../src/simulator';

// Standalone WeChat + Weibo API simulator: node dist/scripts/simulator.js --port 4100 --size 2000 --seed 1
// Flags override the SIMULATOR_* variables, and are validated by the same schema.

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      size: { type: 'string' },
      seed: { type: 'string' },
      latency: { type: 'string' },
    },
  });
  let settings;
  try {
    settings = loadConfig({
      ...process.env,
      SIMULATOR_PORT: values.port ?? process.env.SIMULATOR_PORT ?? '4100',
      ...(values.size && { SIMULATOR_SIZE: values.size }),
      ...(values.seed && { SIMULATOR_SEED: values.seed }),
      ...(values.latency && { SIMULATOR_LATENCY_MS: values.latency }),
    }).simulator;
  } catch (err) {
    console.error(err instanceof ConfigValidationError ? err.message : err);
    process.exit(1);
  }
  const sim = await startSimulator({ ...settings, host: values.host });
  console.log(
    `simulator listening on ${sim.url} (seed ${settings.seed}, ${settings.size} accounts)`,
  );
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
