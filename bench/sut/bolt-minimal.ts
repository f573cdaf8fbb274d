/**
 * Child-process entry: the "bolt-minimal" baseline, what people write by hand. A @slack/bolt
 * App on an ExpressReceiver (Bolt's own signature check, ack and middleware) whose message
 * listener forwards the text to the Chat API with axios, and on the same express app a minimal
 * `/converse-webhook` route (token check, express.json) that forwards a sendMessage to
 * chat.postMessage with axios. Conversations are one Map each way.
 */
import { createServer } from 'node:http';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import axios from 'axios';
import express from 'express';
import { baselineSettings, bearerTokenCheck } from './baseline-settings.js';
import { listenOnLoopback } from '../loopback.js';
import { serveChild } from './child-control.js';
import { ConversationIds } from './conversation-ids.js';

serveChild(async () => {
  const settings = baselineSettings();
  const conversations = new ConversationIds();
  const tokenOk = bearerTokenCheck(settings.webhookToken);
  const http = axios.create({ timeout: 10_000 });

  const receiver = new ExpressReceiver({ signingSecret: settings.signingSecret, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new App({ token: settings.botToken, receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: settings.slackApiUrl } });

  app.message(async ({ message }) => {
    if (message.subtype !== undefined || !('text' in message)) return;
    await http.post(
      `${settings.chatApiUrl}/converse/chat`,
      { platformConversationId: conversations.idFor(message.channel), eventType: 'message', text: message.text ?? '' },
      { headers: { Authorization: settings.ultimateApiKey, botid: settings.ultimateBotId } },
    );
  });

  receiver.router.post('/converse-webhook', express.json({ limit: '256kb' }), (req, res) => {
    if (!tokenOk(req.get('authorization'))) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    const data = (req.body as { data?: { eventType?: string; platformConversationId?: string; text?: string } }).data;
    if (data?.eventType === 'isTeamOnline') {
      res.json({ isOnline: true });
      return;
    }
    const channel = data?.eventType === 'sendMessage' ? conversations.channelOf(data.platformConversationId ?? '') : undefined;
    if (!channel) {
      res.status(404).json({ error: 'conversation_not_found' });
      return;
    }
    res.json({});
    http
      .post(`${settings.slackApiUrl}chat.postMessage`, { channel, text: data?.text ?? '' }, { headers: { Authorization: `Bearer ${settings.botToken}` } })
      .catch((error: unknown) => process.stderr.write(`bolt-minimal: ${(error as Error).message}\n`));
  });

  app.error(async (error) => {
    process.stderr.write(`bolt-minimal: ${error.message}\n`);
  });

  // Bolt's receiver.start() listens on every interface; the benchmark stays on loopback.
  return listenOnLoopback(createServer(receiver.app));
});
