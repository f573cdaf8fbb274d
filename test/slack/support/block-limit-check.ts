/**
 * Checks a rendered Slack message against the limits table: every violation is returned as a
 * sentence, so a test can assert an empty list and show exactly what broke.
 */
import type { ButtonElement, SlackBlock, SlackMessage, StaticSelectElement } from '../../../adapters/slack/block-kit.js';
import { SLACK_LIMITS as L } from '../../../adapters/slack/limits.js';

/** All limit violations of one message. */
export function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(message.text.trim().length > 0, 'fallback text is empty');
  check(message.text.length <= L.fallbackText, `fallback text has ${message.text.length} characters`);
  check(message.blocks.length <= L.blocksPerMessage, `${message.blocks.length} blocks`);
  message.blocks.forEach((block, index) => blockViolations(block, `block ${index}`, check));
  return problems;
}

function blockViolations(block: SlackBlock, where: string, check: (ok: boolean, problem: string) => void): void {
  switch (block.type) {
    case 'section':
      check(block.text.text.length <= L.sectionText, `${where}: section text has ${block.text.text.length} characters`);
      if (block.accessory) check(block.accessory.alt_text.length <= L.imageAltText, `${where}: alt text too long`);
      break;
    case 'actions':
      check(block.elements.length <= L.actionsElements, `${where}: ${block.elements.length} elements`);
      buttonsViolations(block.elements.filter(isButton), where, check);
      break;
    case 'carousel':
      check(block.elements.length >= 1 && block.elements.length <= L.carouselCards, `${where}: ${block.elements.length} cards`);
      block.elements.forEach((card, index) => {
        const at = `${where} card ${index}`;
        check((card.title?.text.length ?? 0) <= L.cardTitle, `${at}: title has ${card.title?.text.length} characters`);
        check((card.subtitle?.text.length ?? 0) <= L.cardSubtitle, `${at}: subtitle too long`);
        check((card.body?.text.length ?? 0) <= L.cardBody, `${at}: body has ${card.body?.text.length} characters`);
        check((card.actions?.length ?? 0) <= L.cardButtons, `${at}: ${card.actions?.length} buttons`);
        check(Boolean(card.title || card.body || card.hero_image || card.actions), `${at}: empty card`);
        if (card.hero_image) check(card.hero_image.alt_text.length <= L.imageAltText, `${at}: alt text too long`);
      });
      // action_ids are unique within the carousel block as a whole.
      buttonsViolations(block.elements.flatMap((card) => card.actions ?? []), where, check);
      break;
    case 'image':
      check(block.image_url.length <= L.imageUrl, `${where}: image URL too long`);
      check(block.alt_text.length <= L.imageAltText, `${where}: alt text too long`);
      check((block.title?.text.length ?? 0) <= L.imageTitle, `${where}: image title too long`);
      break;
    case 'context':
      block.elements.forEach((element) => check(element.text.length <= L.contextText, `${where}: context text too long`));
      break;
    case 'header':
      check(block.text.text.length <= L.headerText, `${where}: header too long`);
      break;
    case 'card':
    case 'divider':
      break;
  }
}

function buttonsViolations(buttons: ButtonElement[], where: string, check: (ok: boolean, problem: string) => void): void {
  const ids = buttons.map((button) => button.action_id);
  check(new Set(ids).size === ids.length, `${where}: duplicate action_id`);
  for (const button of buttons) {
    check(button.text.text.length >= 1 && button.text.text.length <= L.buttonText, `${where}: button text has ${button.text.text.length} characters`);
    check(button.action_id.length <= L.actionId, `${where}: action_id too long`);
    check((button.value?.length ?? 0) <= L.buttonValue, `${where}: value has ${button.value?.length} characters`);
    check((button.url?.length ?? 0) <= L.buttonUrl, `${where}: url too long`);
  }
}

/** Every button of a message, in order, with the card it sits on when inside a carousel. */
export function buttonsOf(message: SlackMessage): ButtonElement[] {
  return message.blocks.flatMap((block) => {
    if (block.type === 'actions') return block.elements.filter(isButton);
    if (block.type === 'carousel') return block.elements.flatMap((card) => card.actions ?? []);
    return [];
  });
}

function isButton(element: ButtonElement | StaticSelectElement): element is ButtonElement {
  return element.type === 'button';
}
