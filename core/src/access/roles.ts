/**
 * Roles and scopes: the one vocabulary of the database types, the API's schemas and checks, and
 * (through the OpenAPI document) the web app. Permissions are the API-key scopes; a user's role
 * grants a fixed set of them, so people and integrations are checked the same way.
 */
export const ROLES = ['owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'stock:write', 'purchasing', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  owner: ['read', 'stock:write', 'purchasing', 'admin'],
  admin: ['read', 'stock:write', 'purchasing', 'admin'],
  purchaser: ['read', 'purchasing'],
  storekeeper: ['read', 'stock:write'],
  nurse: ['read', 'stock:write'],
  viewer: ['read'],
};
