/**
 * `npm start`: resolve the configuration, run the bridge, stop gracefully on SIGTERM/SIGINT.
 * A configuration problem ends start-up with one line naming the variable or YAML path.
 */
import { loadBridgeConfig } from './config/bridge-config.js';
import { loadEnv } from './config/env.js';
import { ConfigError } from './core/errors.js';
import { startTelemetry } from './telemetry/start-telemetry.js';

async function main(): Promise<void> {
  // Tracing starts before the bridge's modules load, so its http instrumentation sees them all.
  const telemetry = await startTelemetry(process.env);
  const { startBridge } = await import('./runtime.js');
  let env;
  let config;
  try {
    env = loadEnv();
    config = loadBridgeConfig(env.bridgeConfigPath);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`channel-bridge: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const runtime = await startBridge({ env, config });
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1); // a second signal means "now"
    runtime.logger.info({ signal }, 'signal received');
    runtime
      .shutdown()
      .then(() => telemetry?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          runtime.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`channel-bridge: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
