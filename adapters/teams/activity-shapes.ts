/**
 * The small part of the Bot Framework activity and Adaptive Card schemas the bridge writes, as
 * plain types. Renderers build these without importing an SDK; the adapter hands them to
 * botbuilder, whose `Partial<Activity>` they are structurally compatible with.
 */

/** An Adaptive Card text block. */
export interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Small' | 'Medium' | 'Large';
  isSubtle?: boolean;
  spacing?: 'None' | 'Small' | 'Medium';
}

/** An Adaptive Card image. */
export interface CardImage {
  type: 'Image';
  url: string;
  altText: string;
  size?: 'Auto' | 'Stretch' | 'Medium';
}

/** A button that posts its `data` back to the bot (as the activity's `value`). */
export interface SubmitAction {
  type: 'Action.Submit';
  title: string;
  data: Record<string, unknown>;
}

/** A button that opens a URL and posts nothing. */
export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

/** Any button on a card. */
export type CardAction = SubmitAction | OpenUrlAction;

/** A row of buttons inside the card body (for more buttons than the card's own action bar holds). */
export interface ActionSet {
  type: 'ActionSet';
  actions: CardAction[];
}

/** A group of facts (label: value), used on ticket cards. */
export interface FactSet {
  type: 'FactSet';
  facts: Array<{ title: string; value: string }>;
}

/** A drop-down input (the desk's Transfer choice); an Action.Submit sends its value under `id`. */
export interface ChoiceSetInput {
  type: 'Input.ChoiceSet';
  id: string;
  label?: string;
  placeholder?: string;
  style: 'compact';
  choices: Array<{ title: string; value: string }>;
}

/** Any element of a card body. */
export type CardElement = TextBlock | CardImage | ActionSet | FactSet | ChoiceSetInput;

/** An Adaptive Card (schema 1.5). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  version: string;
  body: CardElement[];
  actions?: CardAction[];
}

/** An attachment carrying an Adaptive Card. */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: AdaptiveCard;
}

/** A message activity as the bridge sends it. */
export interface OutgoingActivity {
  type: 'message';
  text?: string;
  textFormat?: 'markdown' | 'plain';
  attachments?: CardAttachment[];
  attachmentLayout?: 'list' | 'carousel';
  /** Plain-text fallback for notifications and clients that cannot render cards. */
  summary?: string;
  /** Mentions in `text` (`<at>Name</at>`): Teams notifies the person in `mentioned`. */
  entities?: Array<{ type: 'mention'; text: string; mentioned: { id: string; name: string } }>;
}

/** The attachment content type of Adaptive Cards. */
export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';
