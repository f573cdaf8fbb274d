/**
 * Drives the Microsoft 365 Agents Playground (a real child process) through the HTTP API and
 * WebSocket its own web UI uses:
 * - `GET  /_internal/v1/config`: the mocked tenant (current user, personal chat id, bot id);
 * - `POST /_conversation/v1/conversations/{chatId}/messages` `{from:{id}, text, textFormat}`:
 *   the user types a message; the Playground posts it to the bot's endpoint as an activity;
 * - `POST /_conversation/v1/submit` `{conversation:{id}, from:{id}, replyToId, value}`: the user
 *   clicks an Action.Submit button; the bot gets a message with empty text and `value`;
 * - `ws://…/_ws_conversation/v1/conversations/stream`: `createMessage` / `updateMessage`
 *   events with what the bot sent through the Playground's emulated connector.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { playgroundCommand } from '../../../scripts/teams-playground.js';
import { pollFor } from '../../support/poll.js';

/** A message as the Playground's UI receives it. */
export interface PlaygroundMessage {
  messageId: string;
  from: { id: string };
  text?: string;
  attachments: Array<{ contentType: string; content: { body?: Array<Record<string, unknown>>; actions?: Array<{ type: string; title: string; data?: unknown }> } }>;
  attachmentLayout: 'list' | 'carousel';
}

/** One stream event. */
export interface PlaygroundEvent {
  action: 'createMessage' | 'updateMessage' | string;
  actionConversationId: string;
  message: PlaygroundMessage;
}

/** A running Playground. */
export interface Playground {
  url: string;
  userId: string;
  personalChatId: string;
  events: PlaygroundEvent[];
  say(text: string): Promise<void>;
  click(message: PlaygroundMessage, value: unknown): Promise<void>;
  stop(): Promise<void>;
}

/** Start the Playground against `endpoint` on a free port and connect to its stream. */
export async function startPlayground(endpoint: string, logFile: string): Promise<Playground> {
  const { command, args, env } = playgroundCommand({ endpoint, port: 0, logFile, openBrowser: false });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const port = await pollFor(() => /Listening on (\d+)/.exec(output)?.[1] ?? (child.exitCode !== null ? fail(output) : undefined), 'the Playground to listen', 20_000);
    const url = `http://127.0.0.1:${port}`;
    const config = (await (await fetch(`${url}/_internal/v1/config`)).json()) as { config: { currentUser: { id: string }; personalChat: { id: string } } };
    const events: PlaygroundEvent[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as PlaygroundEvent));
    await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const userId = config.config.currentUser.id;
    const personalChatId = config.config.personalChat.id;
    return {
      url,
      userId,
      personalChatId,
      events,
      say: (text) => post(`${url}/_conversation/v1/conversations/${personalChatId}/messages`, { from: { id: userId }, text, textFormat: 'plain' }),
      click: (message, value) => post(`${url}/_conversation/v1/submit`, { conversation: { id: personalChatId }, from: { id: userId }, replyToId: message.messageId, value }),
      stop: async () => {
        socket.close();
        await stopChild(child);
      },
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`Playground ${url} answered ${response.status}: ${await response.text()}`);
}

function fail(output: string): never {
  throw new Error(`The Playground exited before listening:\n${output}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
