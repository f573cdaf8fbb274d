/**
 * The bridge's spans, on `@opentelemetry/api` only: without the Node SDK started (no
 * OTEL_EXPORTER_OTLP_ENDPOINT) every call here is the API's no-op and costs next to nothing.
 * The trace of a piece of work crosses the outbox as a W3C `traceparent` stored on the entry, so
 * the delivery, maybe on another replica and after a restart, continues the trace that enqueued it.
 */
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('channel-bridge');

/** The `traceparent` of the active span, to store with work that continues elsewhere; undefined when untraced. */
export function activeTraceparent(): string | undefined {
  if (!trace.getActiveSpan()?.spanContext().traceFlags) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The trace id of the active span, for log lines; undefined when untraced. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * Run `work` in a span named `name`, a child of the active span, or of `traceparent` when given
 * (work picked up from the outbox). A thrown error marks the span failed and is rethrown.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, traceparent?: string): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Record a step that takes no time of its own (a hand-off transition) as a span under the active one. */
export function markSpan(name: string, attributes: Attributes): void {
  tracer.startSpan(name, { attributes }, context.active()).end();
}

/** Run `work` outside any active span (background loops that serve many traces). */
export function detached<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT, work);
}
