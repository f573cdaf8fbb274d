/**
 * Starts the whole bridge in-process on a loopback port, from environment variables as an
 * operator would set them, with a controllable clock. Tests talk to its real routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import { loadEnv } from '../../src/config/env.js';
import { Metrics } from '../../src/core/metrics.js';
import { startBridge, type BridgeRuntime } from '../../src/runtime.js';
import { silentLogger } from './silent-logger.js';

/** A running bridge plus its test clock. */
export interface BridgeUnderTest extends BridgeRuntime {
  clock: { now: number };
  stop(): Promise<void>;
}

/** Start a bridge. `env` is merged over a quiet default (port 0, SQLite in a temp dir, Teams off). */
export async function startBridgeUnderTest(env: Record<string, string>, bridgeYaml: unknown = {}): Promise<BridgeUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-test-'));
  const clock = { now: Date.parse('2026-11-23T10:00:00Z') };
  const runtime = await startBridge({
    env: loadEnv({ PORT: '0', STORE_URL: `sqlite:${join(dir, 'bridge.db')}`, TEAMS_ENABLED: 'false', LOG_LEVEL: 'silent', ...env }, () => false),
    config: parseBridgeConfig(bridgeYaml),
    logger: silentLogger(),
    metrics: new Metrics(),
    now: () => clock.now,
    host: '127.0.0.1',
    deliverySleep: async () => undefined,
  });
  return {
    ...runtime,
    clock,
    stop: async () => {
      await runtime.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
