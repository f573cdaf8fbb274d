/**
 * Slash commands the bridge does not know (the app's manifest may list more than this version
 * handles, or a workspace admin added one): answered at once with an ephemeral line, instead of
 * Bolt's 404 after its 3-second timeout, which Slack shows the user as a failed command.
 */
import type { App } from '@slack/bolt';
import { escapeMrkdwn, truncateText } from './mrkdwn.js';

/** Register the catch-all after the known commands; it leaves those to their own listeners. */
export function registerUnknownCommands(app: App, known: readonly string[]): void {
  app.command(/^/, async ({ command, ack }) => {
    const name = String(command.command ?? '');
    if (known.includes(name)) return;
    await ack({ response_type: 'ephemeral', text: unknownCommandText(name, known) });
  });
}

/** The answer to an unknown command. Pure. */
export function unknownCommandText(name: string, known: readonly string[]): string {
  const shown = escapeMrkdwn(truncateText(name, 100));
  return `Unknown command ${shown}. This app knows ${known.map((command) => `\`${command}\``).join(', ')}.`;
}
