/**
 * The subset of Block Kit the bridge renders, as plain types. Renderers build these without
 * importing Slack's SDK, so they stay pure and testable against literal JSON.
 */

/** A plain_text composition object. */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

/** A mrkdwn composition object. */
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  /** True: Slack does not auto-link URLs, channel names or mentions in the text. */
  verbatim?: boolean;
}

/** A button element: a reply button (value) or a link button (url). */
export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

/** An image element (section accessory, card hero image). */
export interface ImageElement {
  type: 'image';
  image_url: string;
  alt_text: string;
}

/** A section block. */
export interface SectionBlock {
  type: 'section';
  text: MrkdwnText;
  accessory?: ImageElement;
}

/** A select menu with fixed options (the desk's Transfer select). */
export interface StaticSelectElement {
  type: 'static_select';
  action_id: string;
  placeholder: PlainText;
  options: Array<{ text: PlainText; value: string }>;
}

/** An actions block; `block_id` comes back with every click in it. */
export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Array<ButtonElement | StaticSelectElement>;
}

/** An image block. */
export interface ImageBlock {
  type: 'image';
  image_url: string;
  alt_text: string;
  title?: PlainText;
}

/** A context block with text elements. */
export interface ContextBlock {
  type: 'context';
  elements: MrkdwnText[];
}

/** A header block. */
export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}

/** A divider block. */
export interface DividerBlock {
  type: 'divider';
}

/** A card block (standalone or inside a carousel). */
export interface CardBlock {
  type: 'card';
  title?: MrkdwnText;
  subtitle?: MrkdwnText;
  body?: MrkdwnText;
  hero_image?: ImageElement;
  actions?: ButtonElement[];
}

/** A carousel block: 1 to 10 cards scrolling horizontally. */
export interface CarouselBlock {
  type: 'carousel';
  elements: CardBlock[];
}

/** Any block the bridge renders. */
export type SlackBlock =
  | SectionBlock
  | ActionsBlock
  | ImageBlock
  | ContextBlock
  | HeaderBlock
  | DividerBlock
  | CardBlock
  | CarouselBlock;

/** One Slack message: blocks plus the fallback text notifications and screen readers use. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
