import { describe, expect, it } from 'vitest';
import type { BotEvent } from '../../src/bot/bot-backend.js';
import {
  demoDocsUrl,
  demoProducts,
  demoProfileAction,
  demoReply,
  noDeskReply,
  profileReply,
  type DemoReplyPlan,
} from '../../src/bot/demo/demo-reply.js';
import { sendMessageDataSchema } from '../../src/bot/ultimate/webhook-schema.js';

const id = '6f1c2a9e-1d1b-4c55-8a61-0c7e2b5d9f10';

function message(text: string, cardIndex?: number): BotEvent {
  return cardIndex === undefined ? { conversationId: id, type: 'message', text } : { conversationId: id, type: 'message', text, cardIndex };
}

function said(plan: DemoReplyPlan): string[] {
  if (plan.kind !== 'say') throw new Error(`expected a say plan, got ${plan.kind}`);
  return plan.messages.map((data) => data.text ?? '');
}

describe('demoReply', () => {
  it('welcomes a new session by name with reply buttons and a link to the docs', () => {
    const plan = demoReply({ conversationId: id, type: 'startSession', metaData: [{ key: 'name', value: 'Ada Lovelace' }] });
    expect(plan).toEqual({
      kind: 'say',
      messages: [
        {
          eventType: 'sendMessage',
          platformConversationId: id,
          type: 'text',
          text: 'Hi Ada Lovelace! I am the demo bot of the channel bridge. What would you like to do?',
          buttons: [
            { type: 'button', text: 'Show products' },
            { type: 'button', text: 'Talk to a human' },
            { type: 'button', text: 'Check my profile' },
            { type: 'link', text: 'Read the Chat API docs', url: demoDocsUrl },
          ],
          carouselCards: [],
        },
      ],
    });
  });

  it.each([
    ['Show products', 'say'],
    ['what is in the catalogue?', 'say'],
    ['Talk to a human', 'escalate'],
    ['I need an AGENT', 'escalate'],
    ['Check my profile', 'runAction'],
    ['who am I', 'runAction'],
    ['hello there', 'say'],
    ['what is the weather like', 'say'],
  ])('answers %j with a %s plan', (text, kind) => {
    expect(demoReply(message(text)).kind).toBe(kind);
  });

  it('runs the demo profile action for "profile"', () => {
    expect(demoReply(message('profile'))).toEqual({ kind: 'runAction', action: demoProfileAction });
  });

  it('shows the catalogue as a carousel of three cards, each with a reply and a link button', () => {
    const plan = demoReply(message('products'));
    if (plan.kind !== 'say') throw new Error('expected a say plan');
    const [data] = plan.messages;
    expect(data!.type).toBe('carousel');
    expect(data!.carouselCards).toEqual(
      demoProducts.map((product) => ({
        title: product.title,
        description: product.description,
        imageUrl: product.imageUrl,
        buttons: [
          { type: 'button', text: 'Choose' },
          { type: 'link', text: 'Details', url: product.url },
        ],
      })),
    );
  });

  it('confirms the card that was clicked, and falls back to help for a card it never showed', () => {
    expect(said(demoReply(message('Choose', 2)))).toEqual(['You picked Comet webcam. Good choice!']);
    expect(said(demoReply(message('Choose', 3)))[0]).toContain('I am a small demo bot');
  });

  it('answers anything else with a help text listing what it understands', () => {
    const [text] = said(demoReply(message('tell me a joke')));
    expect(text).toContain('"products"');
    expect(text).toContain('"profile"');
    expect(text).toContain('"human"');
  });

  it('stays silent on endSession', () => {
    expect(demoReply({ conversationId: id, type: 'endSession' })).toEqual({ kind: 'silent' });
  });

  it('builds replies that pass the sendMessage webhook schema', () => {
    const plans = [demoReply({ conversationId: id, type: 'startSession' }), demoReply(message('products')), demoReply(message('?'))];
    const data = plans.flatMap((plan) => (plan.kind === 'say' ? plan.messages : []));
    data.push(noDeskReply(id), profileReply(id, [{ key: 'name', value: 'Ada' }]));
    for (const entry of data) expect(sendMessageDataSchema.safeParse(entry).success).toBe(true);
  });
});

describe('profileReply', () => {
  it('lists the results and hides sanitized values', () => {
    const data = profileReply(id, [
      { key: 'name', value: 'Ada Lovelace' },
      { key: 'email', value: 'ada@example.com', sanitize: true },
      { key: 'vip', value: true },
    ]);
    expect(data.text).toBe(
      ['Here is what the bridge knows about you:', '- name: Ada Lovelace', '- email: (hidden: personal data)', '- vip: true'].join('\n'),
    );
  });

  it('says so when there is nothing to show', () => {
    expect(profileReply(id, []).text).toBe('The bridge has no profile fields for you.');
  });
});
