import { beforeEach, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../src/actions/action-registry.js';
import type { BotOutput } from '../../src/bot/bot-backend.js';
import { DemoBot } from '../../src/bot/demo/demo-bot.js';
import { demoDocsUrl, demoProducts, demoProfileAction } from '../../src/bot/demo/demo-reply.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import { DeskNotFoundError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { slackConversation } from '../actions/conversation-fixture.js';

const conversation = slackConversation();
const id = conversation.id;
const noDeskText =
  'Sorry, I cannot hand you over to a human: no agent desk is configured for this bridge (an administrator can add one under `desks` in bridge.yaml).';
const menu = [
  { kind: 'reply', text: 'Show products' },
  { kind: 'reply', text: 'Talk to a human' },
  { kind: 'reply', text: 'Check my profile' },
];

/** The core as the demo bot sees it: records what the bot hands over. */
class RecordingOutput implements BotOutput {
  readonly delivered: Array<{ conversationId: string; messages: BotMessage[] }> = [];
  readonly escalations: string[] = [];
  escalateWith: (conversationId: string) => Promise<void> = async () => undefined;
  messagesWith: (conversationId: string) => Promise<void> = async () => undefined;

  async messages(conversationId: string, messages: BotMessage[]): Promise<void> {
    await this.messagesWith(conversationId);
    this.delivered.push({ conversationId, messages });
  }
  escalate(conversationId: string): Promise<void> {
    this.escalations.push(conversationId);
    return this.escalateWith(conversationId);
  }
  async isTeamOnline(): Promise<boolean> {
    return false;
  }
  async conversationEnded(): Promise<void> {}

  texts(): string[] {
    return this.delivered.flatMap((entry) => entry.messages.map((message) => (message.kind === 'carousel' ? `[carousel] ${message.text}` : message.text ?? '')));
  }
}

let store: MemoryStore;
let output: RecordingOutput;
let actions: ActionRegistry;
let logLines: Array<Record<string, unknown>>;

function demoBot(): DemoBot {
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });
  return new DemoBot({ output, actions, logger });
}

beforeEach(async () => {
  store = new MemoryStore();
  await store.createConversation(conversation);
  output = new RecordingOutput();
  actions = new ActionRegistry({ getConversation: async (conversationId) => (await store.getConversation(conversationId))?.value });
  logLines = [];
});

describe('DemoBot', () => {
  it('has handed its answer to the output when send() resolves, with the welcome on startSession', async () => {
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'startSession', metaData: [{ key: 'name', value: 'Ada' }] });
    expect(output.delivered).toEqual([
      {
        conversationId: id,
        messages: [
          {
            kind: 'text',
            text: 'Hi Ada! I am the demo bot of the channel bridge. What would you like to do?',
            buttons: [...menu, { kind: 'link', text: 'Read the Chat API docs', url: demoDocsUrl }],
          },
        ],
      },
    ]);
  });

  it('shows the products as a carousel and confirms a picked card', async () => {
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'message', text: 'Show products' });
    await bot.send({ conversationId: id, type: 'message', text: 'Choose', cardIndex: 0 });

    expect(output.delivered[0]!.messages).toEqual([
      {
        kind: 'carousel',
        text: 'Here are our products:',
        cards: demoProducts.map((product) => ({
          title: product.title,
          description: product.description,
          imageUrl: product.imageUrl,
          buttons: [
            { kind: 'reply', text: 'Choose' },
            { kind: 'link', text: 'Details', url: product.url },
          ],
        })),
      },
    ]);
    expect(output.delivered[1]!.messages).toEqual([{ kind: 'text', text: 'You picked Aurora headphones. Good choice!', buttons: menu }]);
  });

  it('escalates when asked for a human and says nothing itself when the desk takes it', async () => {
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'message', text: 'Talk to a human' });
    expect(output.escalations).toEqual([id]);
    expect(output.delivered).toEqual([]);
  });

  it('says that no desk is configured when the escalation finds none', async () => {
    output.escalateWith = async () => {
      throw new DeskNotFoundError('No desk is configured (no escalateTo): add desks to bridge.yaml');
    };
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'message', text: 'agent' });
    expect(output.escalations).toEqual([id]);
    expect(output.texts()).toEqual([
      noDeskText,
    ]);
  });

  it('apologises and logs when the escalation fails otherwise', async () => {
    output.escalateWith = async () => {
      throw new Error('desk channel unreachable');
    };
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'message', text: 'human please' });
    expect(output.texts()).toEqual(['Sorry, I could not reach a human agent right now. Please try again in a few minutes.']);
    expect(logLines.some((line) => line.msg === 'demo bot: escalation failed')).toBe(true);
  });

  it('registers a requester-profile fallback and shows the profile without sanitized values', async () => {
    const bot = demoBot();
    expect(actions.has(demoProfileAction)).toBe(true);
    await bot.send({ conversationId: id, type: 'message', text: 'Check my profile' });
    const [text] = output.texts();
    expect(text).toBe(
      [
        'Here is what the bridge knows about you:',
        '- platform: slack',
        '- userId: U0001',
        '- name: Ada Lovelace',
        '- email: (hidden: personal data)',
        '- locale: en-GB',
        '- timezone: Europe/London',
        '- tenantId: T0001',
        '- slackTeamId: T0001',
      ].join('\n'),
    );
    expect(JSON.stringify(output.delivered)).not.toContain('ada@example.com');
  });

  it('uses a demoProfile action the integrator configured instead of its fallback', async () => {
    const requests: string[] = [];
    actions.register(demoProfileAction, {
      run: async (request) => {
        requests.push(request.platformConversationId);
        return [{ key: 'plan', value: 'gold' }];
      },
    });
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'message', text: 'profile' });
    expect(requests).toEqual([id]);
    expect(output.texts()).toEqual(['Here is what the bridge knows about you:\n- plan: gold']);
  });

  it('apologises when the profile action fails', async () => {
    const bot = demoBot();
    const unknown = 'd2a1f3b4-0000-4000-8000-000000000001';
    await bot.send({ conversationId: unknown, type: 'message', text: 'profile' });
    expect(output.delivered).toEqual([
      { conversationId: unknown, messages: [{ kind: 'text', text: 'Sorry, I could not look up your profile right now.', buttons: menu }] },
    ]);
    expect(logLines.find((line) => line.msg === 'demo bot: the profile action failed')).toMatchObject({ action: demoProfileAction });
  });

  it('says nothing on endSession and helps with anything else', async () => {
    const bot = demoBot();
    await bot.send({ conversationId: id, type: 'endSession' });
    expect(output.delivered).toEqual([]);

    await bot.send({ conversationId: id, type: 'message', text: 'what is the meaning of life' });
    expect(output.texts()[0]).toContain('I am a small demo bot and understand only a few things');
    expect(output.delivered[0]!.messages[0]).toMatchObject({ kind: 'text', buttons: menu });
  });

  it('does not resolve send() before the output has queued the answer', async () => {
    let queue: () => void = () => undefined;
    output.messagesWith = () => new Promise<void>((resolve) => (queue = resolve));
    const bot = demoBot();
    let resolved = false;
    const sent = bot.send({ conversationId: id, type: 'message', text: 'products' }).then(() => (resolved = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    queue();
    await sent;
    expect(output.texts()).toEqual(['[carousel] Here are our products:']);
  });

  it('lets an error of the output reach the caller, so the outbox decides about a retry', async () => {
    const refused = new Error('store unavailable');
    output.messagesWith = async () => {
      throw refused;
    };
    const bot = demoBot();
    await expect(bot.send({ conversationId: id, type: 'message', text: 'hello' })).rejects.toBe(refused);
    expect(output.delivered).toEqual([]);
  });
});
