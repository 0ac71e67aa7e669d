import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RuleSet } from '@medstock/core';
import { RISK_CLASSES, VED_CLASSES } from '@medstock/core/policy/index.ts';
import type { FastifyInstance } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { enqueueFullRecalculation } from '../engine/enqueue-full-recalculation.ts';
import { currentRules, ruleVersions, type SavedRuleSet, saveRules } from './alert-rules.service.ts';

const Probability = Type.Number({ exclusiveMinimum: 0, maximum: 1 });
// A cycle service level of 1 would need an infinite safety stock.
const ServiceLevel = Type.Number({ minimum: 0.5, maximum: 0.9999 });
const Toggle = { enabled: Type.Boolean() };
const Strict = { additionalProperties: false } as const;

/** One property per key of core's list, all of the same schema. */
const objectOf = <K extends string, S extends TSchema>(keys: readonly K[], schema: S) =>
  Object.fromEntries(keys.map((k) => [k, schema])) as Record<K, S>;

const RuleSetBody = {
  serviceLevels: Type.Object(objectOf(RISK_CLASSES, ServiceLevel), {
    ...Strict,
    description:
      'Target cycle service level (P(no stockout in a cycle)) per risk class: ABC by consumption value × VED. Sets z in SS = z · √(L̄ · σd² + d̄² · σL²).',
  }),
  stockoutRisk: Type.Object(
    {
      ...Toggle,
      maxProbability: Type.Object(objectOf(VED_CLASSES, Probability), Strict),
      horizonDays: Type.Integer({
        minimum: 1,
        maximum: 366,
        description:
          'The second named horizon: P(stockout within N days) is computed and shown beside the first.',
      }),
    },
    {
      ...Strict,
      description:
        'Fires when P(stockout before the next possible receipt) exceeds the limit of the item’s VED class.',
    },
  ),
  belowSafetyStock: Type.Object(Toggle, Strict),
  belowParMinimum: Type.Object(Toggle, Strict),
  stockedOut: Type.Object(Toggle, Strict),
  expired: Type.Object(Toggle, Strict),
  expiryRisk: Type.Object(
    {
      ...Toggle,
      horizonDays: Type.Integer({ minimum: 1, maximum: 730 }),
      minValue: Type.Number({ minimum: 0 }),
    },
    Strict,
  ),
  overstock: Type.Object(
    {
      ...Toggle,
      factorOverOrderUpTo: Type.Number({ minimum: 1, maximum: 100 }),
      minDaysCover: Type.Number({ minimum: 0, maximum: 3650 }),
    },
    Strict,
  ),
  deadStock: Type.Object(
    { ...Toggle, daysWithoutIssue: Type.Integer({ minimum: 1, maximum: 3650 }) },
    Strict,
  ),
  consumptionAnomaly: Type.Object(Toggle, {
    ...Strict,
    description: 'Review of unusual consumption (robust z > 5); off also stops flagging new days.',
  }),
  latePurchaseOrder: Type.Object(
    { ...Toggle, graceDays: Type.Integer({ minimum: 0, maximum: 365 }) },
    Strict,
  ),
  leadTimeDrift: Type.Object(
    {
      ...Toggle,
      minRelativeIncrease: Type.Number({ minimum: 0, maximum: 10 }),
      minDays: Type.Number({ minimum: 0, maximum: 365 }),
    },
    Strict,
  ),
};

const RuleSetSchema = Type.Object({ version: Type.Integer({ minimum: 1 }), ...RuleSetBody });

/**
 * Compile-time check that the schema is core's RuleSet, both ways: a rule or setting added to
 * (or removed from) core's RuleSet without this schema fails the type check here.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaIsCoreRuleSet: Same<Static<typeof RuleSetSchema>, RuleSet> = true;
void schemaIsCoreRuleSet;

const SavedRules = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  isDefault: Type.Boolean({
    description: 'true: the built-in rules (version 1), never saved by this organisation',
  }),
  createdAt: Type.Union([DateTime, Type.Null()]),
  createdBy: Type.Union([Uuid, Type.Null()]),
  rules: RuleSetSchema,
});

const view = (s: SavedRuleSet) => ({
  version: s.version,
  isDefault: s.isDefault,
  createdAt: s.createdAt,
  createdBy: s.createdBy,
  rules: s.rules,
});

export async function alertRuleRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/alert-rules',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: 'The alert rules in force (the built-in version 1 until the organisation saves its own)',
        response: { 200: SavedRules, ...problemResponses },
      },
    },
    async (request) => view(await currentRules(deps, authOf(request))),
  );

  app.put(
    '/v1/alert-rules',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['alerts'],
        summary:
          'Replace the alert rules: saved as a new version (previous + 1), then every item-location is recalculated',
        description:
          'Send the complete rule set. `version`, when given, must be the version you edited (409 `rule_set_changed` otherwise). Each alert records the rule version that fired it; a full recalculation is queued so alerts follow the new rules within the run.',
        body: Type.Object(
          {
            version: Type.Optional(
              Type.Integer({ minimum: 1, description: 'The version these edits are based on' }),
            ),
            ...RuleSetBody,
          },
          Strict,
        ),
        response: {
          200: Type.Object({
            ...SavedRules.properties,
            recalculationJobId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { version, ...rules } = request.body;
      const s = await saveRules(deps, auth, rules, version);
      const recalculationJobId = await enqueueFullRecalculation(
        deps,
        auth.organizationId,
        `rules-v${s.version}`,
      );
      return { ...view(s), recalculationJobId };
    },
  );

  app.get(
    '/v1/alert-rules/versions',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: 'Every version of the alert rules, newest first',
        querystring: Type.Object(PageQuery, Strict),
        response: { 200: pageOf(SavedRules), ...problemResponses },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['int']);
      const rows = await ruleVersions(deps, authOf(request), limit, after ? Number(after[0]) : undefined);
      const page = paginate(rows, limit, (r) => [r.version]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );
}
