/**
 * What a clicked card turns into: the text it showed, then the choice, and no buttons, so a
 * second click cannot send twice. Pure, like the other renderers.
 */
import type { OutgoingActivity } from './activity-shapes.js';
import type { DecodedClick } from './click-codec.js';
import { adaptiveCard, cardActivity, textBlock } from './render-activities.js';

/** The note a requester gets when they click a button of a conversation that has ended. */
export const endedNote = 'This conversation has ended. Write a new message to start a new one.';

/** The card that replaces a clicked one: the choice made, or that the conversation had ended. */
export function renderClickUpdate(click: DecodedClick, outcome: 'chosen' | 'ended'): OutgoingActivity {
  const body = click.shown ? [textBlock(click.shown)] : [];
  body.push(
    outcome === 'chosen'
      ? textBlock(`✔ ${click.payload.text}`, { weight: 'Bolder', spacing: 'Medium' })
      : textBlock('This conversation has ended.', { isSubtle: true, spacing: 'Medium' }),
  );
  return cardActivity(adaptiveCard(body), click.shown ?? click.payload.text);
}
