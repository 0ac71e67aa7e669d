import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { DateTime, IdParams, Role, StringEnum, Uuid } from '../../lib/schemas.ts';
import { assertAllSites } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import {
  createRobotChannel,
  deleteRobotChannel,
  getDigestPreference,
  getNotificationSettings,
  getRobotChannel,
  listRobotChannels,
  listRobotMessages,
  markNotificationsRead,
  notificationInbox,
  putNotificationSettings,
  setDigestPreference,
  updateRobotChannel,
} from './notifications.service.ts';

const ReadState = {
  unread: Type.Integer({ description: 'Feed entries after the read marker (counted up to 1000)' }),
  lastReadId: Type.Integer({ description: 'The newest feed entry marked read (0: none)' }),
  readAt: Type.Union([DateTime, Type.Null()]),
};

const InboxEntry = Type.Object({
  id: Type.Integer(),
  alertId: Uuid,
  kind: Type.String({ description: 'opened, updated, acknowledged, snoozed, dismissed, resolved, reopened' }),
  at: DateTime,
  type: Type.String(),
  severity: Type.String(),
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  siteId: Uuid,
  unread: Type.Boolean(),
});

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, local time' });
const Settings = Type.Object(
  {
    digestEnabled: Type.Boolean(),
    digestHour: Type.Integer({
      minimum: 0,
      maximum: 23,
      description: 'Local hour after which the daily digest goes out',
    }),
    digestRoles: Type.Array(Role, {
      maxItems: 6,
      uniqueItems: true,
      description: 'Roles that receive the digest',
    }),
    expiryDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      description: 'Lots expiring within this many days are listed',
    }),
    quietHours: Type.Union(
      [Type.Object({ start: Time, end: Time }, { additionalProperties: false }), Type.Null()],
      {
        description:
          'No digest and (unless criticalInQuietHours) no robot message in this local window; it may wrap midnight',
      },
    ),
    criticalInQuietHours: Type.Boolean({
      description: 'Robot messages (critical alerts only) still go out during quiet hours',
    }),
    robotLanguage: StringEnum(['zh-CN', 'en', 'both'], { description: 'Language of robot messages' }),
  },
  { additionalProperties: false },
);
const SettingsView = Type.Object({
  ...Settings.properties,
  updatedBy: Type.Union([Uuid, Type.Null()]),
  updatedAt: DateTime,
});

const RobotKind = StringEnum(['wecom', 'dingtalk'], {
  description: 'wecom: 企业微信群机器人; dingtalk: 钉钉群机器人',
});
const RobotUrl = Type.String({
  minLength: 8,
  maxLength: 2000,
  description:
    'The robot webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… or https://oapi.dingtalk.com/robot/send?access_token=…); stored sealed, shown as a hint',
});
const RobotSecret = Type.String({
  minLength: 1,
  maxLength: 200,
  description: "DingTalk's signing secret (加签, SEC…); stored sealed",
});
const Channel = Type.Object({
  id: Uuid,
  kind: RobotKind,
  name: Type.String(),
  urlHint: Type.String(),
  signed: Type.Boolean(),
  secretHint: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
  lastSentAt: Type.Union([DateTime, Type.Null()]),
  failedMessages: Type.Integer(),
});
const ROBOT_REACH =
  'A robot channel receives the critical alerts of every site; only an admin with access to every site may see or change one (403 all_sites_required).';

export async function notificationRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { access: { scope: 'admin' as const } };

  app.get(
    '/v1/notifications',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: "The bell: the caller's unread count and the newest alert-feed entries",
        description:
          "Entries of the alert feed (alert opened, escalated, acknowledged, resolved…) at the sites the caller may see, newest first, each marked unread when it is after the caller's read marker.",
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 15 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ ...ReadState, items: Type.Array(InboxEntry) }), ...problemResponses },
      },
    },
    async (request) => notificationInbox(deps, authOf(request), request.query.limit ?? 15),
  );

  app.post(
    '/v1/notifications/read',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: 'Mark the feed read, up to an entry (default: the newest)',
        description: 'The marker only moves forward; the answer is the new unread count.',
        body: Type.Object(
          { upToId: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object(ReadState), ...problemResponses },
      },
    },
    async (request) => markNotificationsRead(deps, authOf(request), request.body.upToId),
  );

  app.get(
    '/v1/notifications/preferences',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: 'Whether the caller receives the daily e-mail digest',
        response: { 200: Type.Object({ digestEnabled: Type.Boolean() }), ...problemResponses },
      },
    },
    async (request) => getDigestPreference(deps, authOf(request)),
  );

  app.put(
    '/v1/notifications/preferences',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: 'Turn the daily e-mail digest on or off for oneself',
        body: Type.Object({ digestEnabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ digestEnabled: Type.Boolean() }), ...problemResponses },
      },
    },
    async (request) => setDigestPreference(deps, authOf(request), request.body.digestEnabled),
  );

  app.get(
    '/v1/notification-settings',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: "The organisation's digest, quiet hours and robot settings",
        response: { 200: SettingsView, ...problemResponses },
      },
    },
    async (request) => getNotificationSettings(deps, authOf(request)),
  );

  app.put(
    '/v1/notification-settings',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: "Set the organisation's digest, quiet hours and robot settings",
        description:
          'The daily digest (open and critical alerts, lots expiring within expiryDays, purchase orders waiting for approval — each person sees their sites only) goes by e-mail to members of digestRoles once a local day after digestHour, never during quiet hours (it waits until they end). Robot messages carry critical alerts only; during quiet hours they wait unless criticalInQuietHours.',
        body: Settings,
        response: { 200: SettingsView, ...problemResponses },
      },
    },
    async (request) => putNotificationSettings(deps, authOf(request), request.body),
  );

  app.get(
    '/v1/robot-channels',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'WeCom and DingTalk group robots that receive critical alerts',
        description: ROBOT_REACH,
        response: { 200: Type.Object({ items: Type.Array(Channel) }), ...problemResponses },
      },
    },
    async (request) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      return listRobotChannels(deps, authOf(request));
    },
  );

  app.post(
    '/v1/robot-channels',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Add a WeCom (企业微信) or DingTalk (钉钉) group robot',
        description: `The worker posts a markdown message to it when a critical alert opens or escalates (WeCom: {"msgtype":"markdown","markdown":{"content":…}}; DingTalk: {"msgtype":"markdown","markdown":{"title":…,"text":…}}, signed with timestamp and HMAC-SHA256 sign when a secret is given), with retries. The URL must reach a public address, like webhook endpoints (422 invalid_webhook_url). ${ROBOT_REACH}`,
        body: Type.Object(
          {
            kind: RobotKind,
            name: Type.String({ minLength: 1, maxLength: 100 }),
            url: RobotUrl,
            secret: Type.Optional(RobotSecret),
          },
          { additionalProperties: false },
        ),
        response: { 201: Channel, ...problemResponses },
      },
    },
    async (request, reply) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      return reply.status(201).send(await createRobotChannel(deps, authOf(request), request.body));
    },
  );

  app.get(
    '/v1/robot-channels/:id',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'One group robot',
        params: IdParams,
        response: { 200: Channel, ...problemResponses },
      },
    },
    async (request) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      return getRobotChannel(deps, authOf(request), request.params.id);
    },
  );

  app.patch(
    '/v1/robot-channels/:id',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Rename, re-point, (un)sign, pause or resume a group robot',
        description: '`secret: null` removes the signing secret.',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            url: Type.Optional(RobotUrl),
            secret: Type.Optional(Type.Union([RobotSecret, Type.Null()])),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Channel, ...problemResponses },
      },
    },
    async (request) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      return updateRobotChannel(deps, authOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/v1/robot-channels/:id',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Remove a group robot (and its message log)',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      await deleteRobotChannel(deps, authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/robot-channels/:id/messages',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary:
          'What was sent to a group robot: one row per critical alert announced, with attempts and errors',
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Uuid,
                alertId: Uuid,
                status: StringEnum(['pending', 'sent', 'failed']),
                attempts: Type.Integer(),
                lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
                lastError: Type.Union([Type.String(), Type.Null()]),
                createdAt: DateTime,
                sentAt: Type.Union([DateTime, Type.Null()]),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      assertAllSites(authOf(request), ROBOT_REACH);
      return listRobotMessages(deps, authOf(request), request.params.id, request.query.limit ?? 50);
    },
  );
}
