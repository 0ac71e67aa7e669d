import {
  ALERT_TYPES,
  DEFAULT_RULE_SET,
  LEDGER_TYPES,
  MOVEMENT_KINDS,
  ROLES,
  SCOPES,
  SEVERITIES,
} from '@medstock/core';
import { RISK_CLASSES, VED_CLASSES } from '@medstock/core/policy/index.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/openapi-document.ts';

/**
 * Issue 12 point 7: the API's schemas take their vocabularies from core's `as const` lists, so a
 * kind, role or rule added in core is in the OpenAPI document (and the web's generated client).
 * (That the schema's rule set is core's RuleSet is also checked at compile time in alert-rules.routes.ts.)
 */
type Json = Record<string, any>;
let doc: Json;
beforeAll(async () => {
  doc = JSON.parse(await openApiDocument());
});

/** Every `enum` list inside a part of the document. */
function enumsIn(node: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) for (const x of node) enumsIn(x, out);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    if (Array.isArray(o.enum)) out.push(o.enum);
    for (const v of Object.values(o)) enumsIn(v, out);
  }
  return out;
}

const op = (path: string, method: string) => {
  const o = doc.paths[path]?.[method];
  if (!o) throw new Error(`no ${method} ${path}`);
  return o as Json;
};

describe('API schemas are derived from core', () => {
  it('movement kinds: what is posted and what the ledger lists', () => {
    expect(enumsIn(op('/v1/movements', 'post').requestBody)).toContainEqual([...MOVEMENT_KINDS]);
    expect(enumsIn(op('/v1/movements', 'get').responses['200'])).toContainEqual([...LEDGER_TYPES]);
  });

  it('roles and scopes', () => {
    expect(enumsIn(op('/v1/api-keys', 'post').requestBody)).toContainEqual([...SCOPES]);
    expect(enumsIn(op('/v1/invitations', 'post').requestBody)).toContainEqual([...ROLES]);
  });

  it('alert types and severities', () => {
    const list = op('/v1/alerts', 'get');
    expect(enumsIn(list.parameters)).toContainEqual([...ALERT_TYPES]);
    expect(enumsIn(list.responses['200'])).toContainEqual([...SEVERITIES]);
  });

  it("the rule set: every rule of core's, risk classes and VED classes as keys", () => {
    const rules = op('/v1/alert-rules', 'get').responses['200'].content['application/json'].schema.properties
      .rules;
    expect(Object.keys(rules.properties).sort()).toEqual(Object.keys(DEFAULT_RULE_SET).sort());
    expect(Object.keys(rules.properties.serviceLevels.properties).sort()).toEqual([...RISK_CLASSES].sort());
    expect(Object.keys(rules.properties.stockoutRisk.properties.maxProbability.properties).sort()).toEqual(
      [...VED_CLASSES].sort(),
    );
  });
});
