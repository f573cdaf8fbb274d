/**
 * Starts OpenTelemetry's Node SDK when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, before the rest of the bridge is loaded, so the
 * http instrumentation sees every inbound request and puts W3C `traceparent` on every outbound
 * one. Traces go over OTLP/HTTP: protobuf, or JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json;
 * the exporters read the other standard OTEL_* variables themselves. Unset, nothing is loaded.
 */

/** A started SDK, to flush and stop at shutdown. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/** Routes whose requests are not traced: probes and scrapes would drown the traces that matter. */
const untracedPaths = new Set(['/healthz', '/readyz', '/metrics']);

/** Start tracing if the environment asks for it; undefined otherwise. */
export async function startTelemetry(env: NodeJS.ProcessEnv): Promise<Telemetry | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const [{ NodeSDK }, { HttpInstrumentation }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  const { OTLPTraceExporter } = protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'channel-bridge',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => untracedPaths.has((request.url ?? '').split('?')[0] ?? '') }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
