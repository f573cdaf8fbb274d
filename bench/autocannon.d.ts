/**
 * The part of autocannon 9's API the benchmark uses. autocannon ships no types and
 * @types/autocannon lags its releases, so the few members used here are declared by hand,
 * from node_modules/autocannon/lib/{init,run,httpClient,httpRequestBuilder}.js.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** One request template; `setupRequest` rebuilds it before every send. */
  export interface AutocannonRequest {
    method?: 'GET' | 'POST';
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest | undefined;
    /** Called with every answer (status, body text). */
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }

  /** Run options (the subset used). */
  export interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Total requests instead of a duration. */
    amount?: number;
    /** Requests per second over all connections (each connection gets its share per one-second tick). */
    overallRate?: number;
    /** Seconds without an answer before a connection is reset. */
    timeout?: number;
    requests?: AutocannonRequest[];
    excludeErrorStats?: boolean;
  }

  /** The aggregated result (the subset used). */
  export interface AutocannonResult {
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  /** A running job: an EventEmitter (`response`: client, status, bytes, responseTimeMs) that is also a promise. */
  export interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void;
  }

  function autocannon(options: AutocannonOptions): AutocannonInstance;
  export default autocannon;
}
