/**
 * Child-process entry: the real bridge, started the way `src/main.ts` starts it (environment
 * variables through `loadEnv`, bridge.yaml through `loadBridgeConfig`, production logger and
 * metrics), except that it listens on 127.0.0.1 only. The benchmark sets the environment.
 */
import { loadBridgeConfig } from '../../src/config/bridge-config.js';
import { loadEnv } from '../../src/config/env.js';
import { startBridge } from '../../src/runtime.js';
import { serveChild } from './child-control.js';

serveChild(async () => {
  const env = loadEnv();
  const runtime = await startBridge({ env, config: loadBridgeConfig(env.bridgeConfigPath), host: '127.0.0.1' });
  return { url: runtime.url, stop: () => runtime.shutdown() };
});
