/**
 * Built-in action `http`: POST the action's data to a configured URL and turn the JSON answer
 * into results for the bot.
 *
 * Request (always `Content-Type: application/json`, plus the configured `headers`):
 *
 *     { "name": "updateCustomerBalance",
 *       "platformConversationId": "13427e90-f76a-47c2-a26d-ea0b4f1836c5",
 *       "data": { "userId": "123345", "tags": ["a", "b"], "note": [] },
 *       "saveAs": { "userId": "customerId" } }
 *
 * A desk's `onResolve` call adds `"ticket": {id, desk, state, requester, assignee, openedAt,
 * closedAt, transcript, csat?}` (see `ClosedTicket`).
 *
 * `data` has one field per parameter: the value itself when the bot sent exactly one, else the
 * whole array (also when empty); a key sent twice keeps its last value. `saveAs` is present only
 * when a parameter named one: parameter key → the session variable the bot wants it saved as.
 *
 * Answer: an empty body gives no results; `{"results":[{key, value, sanitize?}]}` is passed
 * through; any other JSON object gives one result per field with a string, number or boolean
 * value (null, arrays and objects are skipped: a session variable holds one scalar). Then a
 * result whose key is a parameter key with `saveAs` is renamed to the `saveAs` name, so the bot
 * stores it where it asked, and a result whose key (before or after the rename) is listed in
 * `sanitize` is marked `sanitize: true`. A non-2xx status (redirects are not followed), a body
 * that is not JSON or not an object, a timeout or an abort fail the action.
 */
import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { ActionContext, ActionHandler, ActionParameter, ActionRequest, ActionResult, ClosedTicket } from './action-handler.js';
import { parseActionResults } from './action-results.js';
import type { ActionConfig } from '../config/bridge-config.js';
import { ActionFailedError } from '../core/errors.js';

/** The bridge.yaml entry of an `http` action. */
export type HttpActionConfig = Extract<ActionConfig, { type: 'http' }>;

/** Bounds of the http action. */
export const httpActionLimits = {
  /** Largest answer body read, in bytes. */
  maxAnswerBytes: 1024 * 1024,
  /** Largest request body sent, in bytes. */
  maxRequestBytes: 1024 * 1024,
} as const;

/** The JSON body POSTed to the configured URL. */
export interface HttpActionBody {
  name: string;
  platformConversationId: string;
  data: Record<string, unknown>;
  saveAs?: Record<string, string>;
  ticket?: ClosedTicket;
}

/** The `http` action. */
export class HttpAction implements ActionHandler {
  private readonly client: AxiosInstance;
  /** Where the action posts, without query or credentials, for error messages. */
  private readonly endpoint: string;
  private readonly sanitize: ReadonlySet<string>;

  constructor(private readonly config: HttpActionConfig) {
    const url = new URL(config.url);
    this.endpoint = `${url.origin}${url.pathname}`;
    this.sanitize = new Set(config.sanitize);
    this.client = axios.create({
      timeout: config.timeoutMs,
      maxRedirects: 0,
      maxContentLength: httpActionLimits.maxAnswerBytes,
      maxBodyLength: httpActionLimits.maxRequestBytes,
      responseType: 'text',
      // Keep the raw text: a non-JSON answer must be an error, not a silently unparsed string.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  }

  /** POST the request and map the answer. */
  async run(request: ActionRequest, context: ActionContext): Promise<ActionResult[]> {
    const body = httpActionBody(request);
    const response = await this.client
      .post<string>(this.config.url, JSON.stringify(body), {
        headers: { ...this.config.headers, 'Content-Type': 'application/json', Accept: 'application/json' },
        signal: context.signal,
      })
      .catch((error: unknown) => {
        throw this.transportError(error, context.signal);
      });
    if (response.status < 200 || response.status > 299) {
      throw this.failure(`${this.endpoint} answered HTTP ${response.status}`);
    }
    const answer = this.parseAnswer(response.data);
    const results = parseActionResults(this.config.name, answerToResults(answer, this.failure.bind(this)));
    return finishResults(results, saveAsNames(request.data), this.sanitize);
  }

  private parseAnswer(text: string | undefined): unknown {
    if (text === undefined || text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.failure(`${this.endpoint} answered with a body that is not JSON`);
    }
  }

  private transportError(error: unknown, signal: AbortSignal): ActionFailedError {
    // The registry aborts with its own timeout error; keep that one so the message stays the same.
    if (signal.aborted && signal.reason instanceof ActionFailedError) return signal.reason;
    if (axios.isCancel(error) || signal.aborted) return this.failure(`the call to ${this.endpoint} was aborted`);
    if (error instanceof AxiosError) {
      if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) {
        return this.failure(`${this.endpoint} timed out after ${this.config.timeoutMs} ms`);
      }
      if (error.code === AxiosError.ERR_BAD_RESPONSE && error.message.includes('maxContentLength')) {
        return this.failure(`${this.endpoint} answered more than ${httpActionLimits.maxAnswerBytes} bytes`);
      }
      // No `cause`: an AxiosError carries the request config, headers (API keys) included.
      return this.failure(`could not reach ${this.endpoint} (${error.code ?? 'network error'})`);
    }
    return this.failure(`the call to ${this.endpoint} failed (${error instanceof Error ? error.name : typeof error})`);
  }

  private failure(reason: string): ActionFailedError {
    return new ActionFailedError(`Action "${this.config.name}" failed: ${reason}`);
  }
}

/** The JSON body for a request (see the file comment for its shape). */
export function httpActionBody(request: ActionRequest): HttpActionBody {
  const data = Object.fromEntries(request.data.map((parameter) => [parameter.key, parameterValue(parameter)]));
  const saveAs = saveAsNames(request.data);
  const body: HttpActionBody = { name: request.name, platformConversationId: request.platformConversationId, data };
  if (saveAs.size > 0) body.saveAs = Object.fromEntries(saveAs);
  if (request.ticket) body.ticket = request.ticket;
  return body;
}

function parameterValue(parameter: ActionParameter): unknown {
  return parameter.value.length === 1 ? parameter.value[0] : parameter.value;
}

function saveAsNames(parameters: readonly ActionParameter[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { key, saveAs } of parameters) if (saveAs) names.set(key, saveAs);
  return names;
}

/** The answer's result list, before validation. */
function answerToResults(answer: unknown, fail: (reason: string) => ActionFailedError): unknown {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw fail('the endpoint answered JSON that is not an object');
  }
  const fields = answer as Record<string, unknown>;
  if (Array.isArray(fields.results)) return fields.results;
  return Object.entries(fields)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    .map(([key, value]) => ({ key, value }));
}

function finishResults(results: ActionResult[], saveAs: ReadonlyMap<string, string>, sanitize: ReadonlySet<string>): ActionResult[] {
  return results.map((result) => {
    const key = saveAs.get(result.key) ?? result.key;
    const sensitive = result.sanitize === true || sanitize.has(result.key) || sanitize.has(key);
    return sensitive ? { key, value: result.value, sanitize: true } : { key, value: result.value };
  });
}
