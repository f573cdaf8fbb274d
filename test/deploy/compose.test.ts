/**
 * deploy/docker-compose.yml (no Docker here: its structure), the HAProxy configuration it mounts
 * (checked by the real haproxy, installed by .ci/run), the bridge.yaml it mounts and its .env.example.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import { deployDir, repoRoot, tool } from './deploy-files.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  env_file?: string;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  read_only?: boolean;
  tmpfs?: string[];
  stop_grace_period?: string;
}

const compose = parseYaml(readFileSync(join(deployDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const bridgeNames = Object.keys(services).filter((name) => services[name]!.build !== undefined);
const haproxyCfg = readFileSync(join(deployDir, 'haproxy.cfg'), 'utf8');

/** The host file a service mounts at `target`. */
function mountSource(service: ComposeService, target: string): string {
  const volume = service.volumes?.find((entry) => entry.split(':')[1] === target);
  expect(volume, `a volume at ${target}`).toBeDefined();
  return resolve(deployDir, volume!.split(':')[0]!);
}

describe('docker-compose.yml', () => {
  it('runs two named bridge replicas, Redis and a load balancer', () => {
    expect(bridgeNames).toEqual(['bridge-1', 'bridge-2']);
    expect(services.redis!.image).toMatch(/^redis:/);
    expect(services.lb!.image).toMatch(/^haproxy:/);
  });

  it('builds each bridge from the repository Dockerfile and points it at the shared Redis', () => {
    for (const name of bridgeNames) {
      const service = services[name]!;
      const context = resolve(deployDir, service.build!.context);
      expect(context).toBe(resolve(repoRoot));
      expect(existsSync(join(context, service.build!.dockerfile))).toBe(true);
      expect(service.environment!.STORE_URL).toBe('redis://redis:6379');
      expect(service.env_file).toBe('.env');
      expect(service.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    }
  });

  it('runs the bridges read-only with a writable /tmp and time for the graceful shutdown', () => {
    for (const name of bridgeNames) {
      const service = services[name]!;
      expect(service.read_only).toBe(true);
      expect(service.tmpfs).toContain('/tmp');
      expect(Number.parseInt(service.stop_grace_period!, 10)).toBeGreaterThanOrEqual(20);
    }
  });

  it('has a healthcheck on every service, the bridges on /healthz', () => {
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);
    for (const name of bridgeNames) expect(services[name]!.healthcheck!.test.join(' ')).toContain('/healthz');
  });

  it('mounts a bridge.yaml the bridge accepts', () => {
    const path = mountSource(services['bridge-1']!, services['bridge-1']!.environment!.BRIDGE_CONFIG!);
    expect(() => parseBridgeConfig(parseYaml(readFileSync(path, 'utf8')), path)).not.toThrow();
  });
});

describe('haproxy.cfg', () => {
  it('is the file the load balancer mounts, and a valid HAProxy configuration', () => {
    expect(mountSource(services.lb!, '/usr/local/etc/haproxy/haproxy.cfg')).toBe(join(deployDir, 'haproxy.cfg'));
    const output = execFileSync(tool('haproxy'), ['-c', '-f', join(deployDir, 'haproxy.cfg')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toContain('Configuration file is valid');
  });

  it('balances over both bridge services on their PORT, checking /readyz', () => {
    const servers = [...haproxyCfg.matchAll(/^\s*server (\S+) (\S+):(\d+)/gm)].map((match) => ({ name: match[1], host: match[2], port: match[3] }));
    expect(servers.map((server) => server.host)).toEqual(bridgeNames);
    for (const server of servers) expect(server.port).toBe(services[server.host!]!.environment!.PORT);
    expect(haproxyCfg).toMatch(/^\s*option httpchk GET \/readyz$/m);
    expect(haproxyCfg).toMatch(/^\s*http-check expect status 200$/m);
    expect(haproxyCfg).toMatch(/^\s*default-server check\b/m);
  });

  it('listens on the container port compose publishes, and answers the healthcheck itself', () => {
    const bind = /^\s*bind :(\d+)$/m.exec(haproxyCfg)?.[1];
    expect(services.lb!.ports!.map((port) => port.split(':').at(-1))).toEqual([bind]);
    const monitor = /^\s*monitor-uri (\S+)$/m.exec(haproxyCfg)?.[1];
    expect(services.lb!.healthcheck!.test).toContain(`http://127.0.0.1:${bind}${monitor}`);
  });
});

describe('.env.example', () => {
  const text = readFileSync(join(deployDir, '.env.example'), 'utf8');
  const names = [...text.matchAll(/^#? ?([A-Za-z][A-Za-z_]*)=/gm)].map((match) => match[1]!);

  it('documents the credentials, leaves what compose sets to compose, and sets no empty value', () => {
    expect(names).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'MicrosoftAppId', 'MicrosoftAppPassword', 'ULTIMATE_API_KEY', 'WEBHOOK_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT']));
    for (const name of ['STORE_URL', 'PORT', 'BRIDGE_CONFIG']) expect(names).not.toContain(name);
    // An empty assignment is not "unset" for every variable (BOT_BACKEND= is rejected at start-up).
    expect(text).not.toMatch(/^[A-Za-z_]+=$/m);
  });
});
