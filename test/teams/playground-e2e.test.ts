/**
 * End to end with a real Teams-like client: the whole bridge (demo bot, Teams adapter with auth
 * off) on loopback, and the Microsoft 365 Agents Playground as a child process posting activities
 * to it and emulating the connector the bridge replies through. A message gets the demo bot's
 * welcome card; a click on its button updates the card in place and brings the product carousel;
 * a click on a carousel card reaches the bot with its card index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { pollFor } from '../support/poll.js';
import { startPlayground, type Playground, type PlaygroundEvent, type PlaygroundMessage } from './support/agents-playground.js';

let bridge: BridgeUnderTest;
let playground: Playground;
let logDir: string;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'playground-'));
  bridge = await startBridgeUnderTest({ BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true' });
  playground = await startPlayground(`${bridge.url}/api/messages`, join(logDir, 'playground.log'));
}, 30_000);

afterAll(async () => {
  await playground?.stop();
  await bridge?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

function botEvent(action: string, matches: (message: PlaygroundMessage) => boolean, what: string): Promise<PlaygroundEvent> {
  return pollFor(() => playground.events.find((event) => event.action === action && matches(event.message)), what, 15_000);
}

const cardText = (message: PlaygroundMessage) => JSON.stringify(message.attachments.map((attachment) => attachment.content.body ?? []));

describe('Teams through the Agents Playground', () => {
  it('chats, clicks a button and a carousel card with the demo bot', async () => {
    await playground.say('hello');
    const welcome = (await botEvent('createMessage', (message) => cardText(message).includes('demo bot'), 'the welcome card')).message;
    const products = welcome.attachments[0]!.content.actions!.find((action) => action.title === 'Show products')!;
    expect(products.type).toBe('Action.Submit');
    expect(JSON.stringify(products.data)).not.toContain('msteams');

    await playground.click(welcome, products.data);
    const updated = await botEvent('updateMessage', (message) => message.messageId === welcome.messageId, 'the clicked card to update');
    expect(cardText(updated.message)).toContain('✔ Show products');
    expect(updated.message.attachments[0]!.content.actions ?? []).toEqual([]);
    const carousel = (await botEvent('createMessage', (message) => message.attachmentLayout === 'carousel', 'the product carousel')).message;
    expect(carousel.attachments.length).toBeGreaterThanOrEqual(2);

    const second = carousel.attachments[1]!.content;
    const choose = second.actions!.find((action) => action.type === 'Action.Submit')!;
    await playground.click(carousel, choose.data);
    await botEvent('createMessage', (message) => cardText(message).includes('You picked Nimbus keyboard'), 'the reply to the carousel click');
  }, 30_000);
});
