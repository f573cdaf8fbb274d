/**
 * The demo bot's conversation, as pure functions: an event in, a plan out (what to say, or
 * which side effect to ask for), and the follow-up replies once a side effect has finished.
 * Replies are built as Ultimate sendMessage `data` objects, so the demo exercises the same
 * mapping (`toBotMessages`) that real Ultimate webhooks go through.
 */
import type { ActionResult } from '../../actions/action-handler.js';
import { assertNever } from '../../core/bot-message.js';
import type { BotEvent } from '../bot-backend.js';
import type { SendMessageData, UltimateButton } from '../ultimate/webhook-schema.js';

/** The action the demo bot runs for "profile". */
export const demoProfileAction = 'demoProfile';

/** Where the welcome's link button points: the Chat API the real bot backend speaks. */
export const demoDocsUrl = 'https://developer.zendesk.com/api-reference/ai-agents/chat/chat/';

/** One product of the demo catalogue. */
export interface DemoProduct {
  title: string;
  description: string;
  imageUrl: string;
  url: string;
}

/** The demo catalogue, shown as a carousel. */
export const demoProducts: readonly DemoProduct[] = [
  {
    title: 'Aurora headphones',
    description: 'Noise-cancelling, 30 hours of battery.',
    imageUrl: 'https://placehold.co/600x400/png?text=Headphones',
    url: 'https://example.com/products/aurora-headphones',
  },
  {
    title: 'Nimbus keyboard',
    description: 'Low-profile mechanical keys, USB-C and Bluetooth.',
    imageUrl: 'https://placehold.co/600x400/png?text=Keyboard',
    url: 'https://example.com/products/nimbus-keyboard',
  },
  {
    title: 'Comet webcam',
    description: '4K sensor with automatic framing.',
    imageUrl: 'https://placehold.co/600x400/png?text=Webcam',
    url: 'https://example.com/products/comet-webcam',
  },
];

/** Button labels the demo understands when clicked. */
export const demoLabels = {
  products: 'Show products',
  human: 'Talk to a human',
  profile: 'Check my profile',
  docs: 'Read the Chat API docs',
  choose: 'Choose',
  details: 'Details',
} as const;

/** What the demo bot does for one event. */
export type DemoReplyPlan =
  | { kind: 'say'; messages: SendMessageData[] }
  | { kind: 'escalate' }
  | { kind: 'runAction'; action: string }
  | { kind: 'silent' };

/** Decide the demo bot's answer to an event. */
export function demoReply(event: BotEvent): DemoReplyPlan {
  const id = event.conversationId;
  switch (event.type) {
    case 'startSession':
      return say(welcome(id, event.metaData?.find((entry) => entry.key === 'name')?.value));
    case 'endSession':
      return { kind: 'silent' };
    case 'message':
      return messageReply(id, event.text ?? '', event.cardIndex);
    default:
      return assertNever(event.type);
  }
}

function messageReply(id: string, text: string, cardIndex: number | undefined): DemoReplyPlan {
  if (cardIndex !== undefined) {
    const product = demoProducts[cardIndex];
    return say(product ? textData(id, `You picked ${product.title}. Good choice!`, menuButtons()) : help(id));
  }
  const words = text.toLowerCase();
  if (/\b(human|agent|person)\b/.test(words)) return { kind: 'escalate' };
  if (/\b(products?|catalog(ue)?|shop)\b/.test(words)) return say(productCarousel(id));
  if (/\bprofile\b|\bwho am i\b/.test(words)) return { kind: 'runAction', action: demoProfileAction };
  if (/^\s*(hi|hello|hey|start|menu)\b/.test(words)) return say(welcome(id, undefined));
  return say(help(id));
}

/** The reply with the results of the profile action; sanitized values are never shown. */
export function profileReply(conversationId: string, results: readonly ActionResult[]): SendMessageData {
  if (results.length === 0) return textData(conversationId, 'The bridge has no profile fields for you.', menuButtons());
  const lines = results.map((result) => `- ${result.key}: ${result.sanitize ? '(hidden: personal data)' : String(result.value)}`);
  return textData(conversationId, ['Here is what the bridge knows about you:', ...lines].join('\n'), menuButtons());
}

/** The reply when the profile action failed. */
export function profileFailedReply(conversationId: string): SendMessageData {
  return textData(conversationId, 'Sorry, I could not look up your profile right now.', menuButtons());
}

/** The reply when no desk can take an escalation. */
export function noDeskReply(conversationId: string): SendMessageData {
  return textData(
    conversationId,
    'Sorry, I cannot hand you over to a human: no agent desk is configured for this bridge (an administrator can add one under `desks` in bridge.yaml).',
    menuButtons(),
  );
}

/** The reply when the escalation failed for another reason. */
export function escalationFailedReply(conversationId: string): SendMessageData {
  return textData(conversationId, 'Sorry, I could not reach a human agent right now. Please try again in a few minutes.', menuButtons());
}

function say(...messages: SendMessageData[]): DemoReplyPlan {
  return { kind: 'say', messages };
}

function welcome(id: string, name: string | undefined): SendMessageData {
  const greeting = name ? `Hi ${name}! ` : 'Hi! ';
  const buttons: UltimateButton[] = [...menuButtons(), { type: 'link', text: demoLabels.docs, url: demoDocsUrl }];
  return textData(id, `${greeting}I am the demo bot of the channel bridge. What would you like to do?`, buttons);
}

function help(id: string): SendMessageData {
  const text = [
    'I am a small demo bot and understand only a few things:',
    '- "products": browse the product catalogue',
    '- "profile": see what the bridge knows about you',
    '- "human": talk to a human agent',
  ].join('\n');
  return textData(id, text, menuButtons());
}

function productCarousel(id: string): SendMessageData {
  return {
    eventType: 'sendMessage',
    platformConversationId: id,
    type: 'carousel',
    text: 'Here are our products:',
    buttons: [],
    carouselCards: demoProducts.map((product) => ({
      title: product.title,
      description: product.description,
      imageUrl: product.imageUrl,
      buttons: [
        { type: 'button', text: demoLabels.choose },
        { type: 'link', text: demoLabels.details, url: product.url },
      ],
    })),
  };
}

function menuButtons(): UltimateButton[] {
  return [demoLabels.products, demoLabels.human, demoLabels.profile].map((text) => ({ type: 'button', text }));
}

function textData(id: string, text: string, buttons: UltimateButton[]): SendMessageData {
  return { eventType: 'sendMessage', platformConversationId: id, type: 'text', text, buttons, carouselCards: [] };
}
