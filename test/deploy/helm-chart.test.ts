/**
 * The Helm chart rendered by the real `helm template` (installed by .ci/run), checked object by
 * object: what DESIGN.md section 7 requires of the Deployment, and the optional HPA and ServiceMonitor.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { deployDir, tool } from './deploy-files.js';

const chartDir = join(deployDir, 'helm/channel-bridge');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any; // Kubernetes specs differ per kind: each test reads the fields it checks
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function render(args: string[] = []): K8sObject[] {
  const output = execFileSync(tool('helm'), ['template', 'rel', chartDir, '--namespace', 'bots', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(output)
    .map((document) => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

function renderError(args: string[]): string {
  try {
    render(args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error(`helm template ${args.join(' ')} rendered, but should have failed`);
}

function one(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((object) => object.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}

const withSecret = ['--set', 'existingSecret=bridge-credentials'];

describe('helm template with default values', () => {
  const objects = render(withSecret);
  const deployment = one(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(container.env.map((variable: { name: string; value?: string }) => [variable.name, variable.value]));

  it('renders the Deployment, Service, ConfigMap, PodDisruptionBudget and no HPA or ServiceMonitor', () => {
    const kinds = objects.map((object) => object.kind).sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  });

  it('runs at least two replicas on Redis', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(env.STORE_URL).toMatch(/^redis:\/\/.+/);
  });

  it('probes readiness on /readyz and liveness on /healthz, on the container port', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(env.PORT).toBe('3000');
  });

  it('runs as non-root on a read-only root filesystem, without privilege escalation or capabilities', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  it('mounts emptyDirs on /tmp and the data directory, and bridge.yaml from the ConfigMap', () => {
    const volumes = Object.fromEntries(pod.volumes.map((volume: { name: string }) => [volume.name, volume]));
    const mounts = Object.fromEntries(container.volumeMounts.map((mount: { mountPath: string; name: string }) => [mount.mountPath, mount.name]));
    expect(volumes[mounts['/tmp']].emptyDir).toEqual({});
    expect(volumes[mounts['/data']].emptyDir).toEqual({});
    const configMap = one(objects, 'ConfigMap');
    const configMount = container.volumeMounts.find((mount: { name: string }) => volumes[mount.name].configMap?.name === configMap.metadata.name);
    expect(configMount.readOnly).toBe(true);
    expect(env.BRIDGE_CONFIG).toBe(`${configMount.mountPath}/bridge.yaml`);
    expect(Object.keys(configMap.data!)).toEqual(['bridge.yaml']);
  });

  it('takes the credentials from existingSecret and holds no Secret itself', () => {
    expect(container.envFrom).toEqual([{ secretRef: { name: 'bridge-credentials' } }]);
    expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
  });

  it('gives the graceful shutdown time: preStop wait, 5 s of events and 10 s of deliveries fit in the grace period', () => {
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + 5 + 10 + 10);
  });

  it('keeps one pod through voluntary disruptions, and the Service and PDB select the Deployment pods', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const pdb = one(objects, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    for (const selector of [pdb.spec.selector.matchLabels, one(objects, 'Service').spec.selector, deployment.spec.selector.matchLabels]) {
      expect(podLabels).toMatchObject(selector);
    }
    expect(one(objects, 'Service').spec.ports[0].targetPort).toBe('http');
  });

  it('carries the recommended labels on every object', () => {
    for (const object of objects) {
      expect(object.metadata.labels, object.kind).toMatchObject({
        'app.kubernetes.io/name': 'channel-bridge',
        'app.kubernetes.io/instance': 'rel',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': 'channel-bridge-0.1.0',
      });
    }
  });
});

describe('helm template with autoscaling, a ServiceMonitor and a bridge.yaml', () => {
  const objects = render([
    ...withSecret,
    '--set', 'autoscaling.enabled=true,serviceMonitor.enabled=true,serviceMonitor.labels.release=kube-prometheus',
    '--set-json', 'bridgeConfig={"defaultDesk":"it","desks":[{"id":"it","platform":"slack","channel":"C0123456789"}]}',
  ]);
  const deployment = one(objects, 'Deployment');

  it('lets the HPA own the replica count, never below two', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('scrapes /metrics on the Service port with the labels Prometheus selects by', () => {
    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels!.release).toBe('kube-prometheus');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(monitor.spec.namespaceSelector.matchNames).toEqual(['bots']);
    expect(one(objects, 'Service').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it('writes bridge.yaml from values into the ConfigMap', () => {
    expect(parseYaml(one(objects, 'ConfigMap').data!['bridge.yaml']!)).toEqual({
      defaultDesk: 'it',
      desks: [{ id: 'it', platform: 'slack', channel: 'C0123456789' }],
    });
  });
});

describe('helm template refuses what cannot work', () => {
  it('a store replicas cannot share when more than one runs', () => {
    expect(renderError(['--set', 'store.url=sqlite:/data/bridge.db'])).toContain('store.url must be redis://');
  });

  it('setting STORE_URL through env, where it would be silently overridden', () => {
    expect(renderError(['--set', 'env.STORE_URL=redis://other:6379'])).toContain('env.STORE_URL is set by the chart');
  });

  it('a PodDisruptionBudget that would block every drain', () => {
    expect(renderError(['--set', 'replicaCount=1'])).toContain('podDisruptionBudget.minAvailable');
  });
});

describe('helm template with credentials in values', () => {
  it('creates a Secret only from explicit secretEnv, and STORE_URL from a Secret key when asked', () => {
    const objects = render(['--set', 'secretEnv.SLACK_BOT_TOKEN=xoxb-1']);
    const secret = one(objects, 'Secret');
    expect(secret.stringData).toEqual({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(one(objects, 'Deployment').spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);

    const fromSecret = one(render([...withSecret, '--set', 'store.urlSecretKey=STORE_URL']), 'Deployment');
    const storeUrl = fromSecret.spec.template.spec.containers[0].env.find((variable: { name: string }) => variable.name === 'STORE_URL');
    expect(storeUrl).toEqual({ name: 'STORE_URL', valueFrom: { secretKeyRef: { name: 'bridge-credentials', key: 'STORE_URL' } } });
  });
});
