/**
 * The `UserIdentity` that `ctx.auth.getUserIdentity()` returns, built as the
 * Convex backend builds it (`keybroker/src/broker.rs`, `UserIdentity::
 * from_token` and `from_custom_jwt`; the JSON form is `sync_types`
 * `UserIdentityAttributesJson`):
 *
 * - `tokenIdentifier` is `${issuer}|${subject}`; `subject` and `issuer` are
 *   the token's `sub` and `iss`.
 * - From an OIDC ID token, the standard claims become their camelCase fields
 *   (`picture` → `pictureUrl`, `birthdate` → `birthday`, `zoneinfo` →
 *   `timezone`, `locale` → `language`, `address.formatted` → `address`,
 *   `updated_at` → an RFC 3339 string); every other claim passes through with
 *   its JSON value, except the ID token's own (`aud`, `iat`, `nonce`, …) and
 *   the ones that change on each refresh (`jti`, `nbf`, `fva`).
 * - From a custom JWT, no standard claim is mapped: every claim but the
 *   registered ones (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`) passes
 *   through, nested objects flattened to dotted keys (`{"org": {"id": 1}}` →
 *   `"org.id": 1`), `fva` dropped.
 * - An admin's `impersonating` attributes are read field by field, custom
 *   claims kept as given.
 *
 * One deliberate difference: on Convex a custom claim named like a field
 * that is set (`subject`, `tokenIdentifier`) overwrites it; here the field
 * wins.
 *
 * Verifying tokens is not done here (see identity-verifier.ts): these
 * functions trust the claims they are given.
 */
import type { JSONValue } from 'convex/values';

export type UserIdentity = { tokenIdentifier: string } & Record<
  string,
  JSONValue
>;

export type IdentityResult =
  { success: true; identity: UserIdentity } | { success: false; error: string };

type FieldKind = 'string' | 'boolean';

/** The identity's fields in Convex's order, each with its type. */
const identityFields = [
  ['issuer', 'string'],
  ['subject', 'string'],
  ['name', 'string'],
  ['givenName', 'string'],
  ['familyName', 'string'],
  ['nickname', 'string'],
  ['preferredUsername', 'string'],
  ['profileUrl', 'string'],
  ['pictureUrl', 'string'],
  ['websiteUrl', 'string'],
  ['email', 'string'],
  ['emailVerified', 'boolean'],
  ['gender', 'string'],
  ['birthday', 'string'],
  ['timezone', 'string'],
  ['language', 'string'],
  ['phoneNumber', 'string'],
  ['phoneNumberVerified', 'boolean'],
  ['address', 'string'],
  ['updatedAt', 'string'],
] as const satisfies readonly (readonly [string, FieldKind])[];

const fieldNames: ReadonlySet<string> = new Set([
  'tokenIdentifier',
  ...identityFields.map(([field]) => field),
]);

/** OIDC standard claim → identity field. */
const standardClaims = {
  name: 'name',
  given_name: 'givenName',
  family_name: 'familyName',
  nickname: 'nickname',
  preferred_username: 'preferredUsername',
  profile: 'profileUrl',
  picture: 'pictureUrl',
  website: 'websiteUrl',
  email: 'email',
  email_verified: 'emailVerified',
  gender: 'gender',
  birthdate: 'birthday',
  zoneinfo: 'timezone',
  locale: 'language',
  phone_number: 'phoneNumber',
  phone_number_verified: 'phoneNumberVerified',
  address: 'address',
  updated_at: 'updatedAt',
} as const satisfies Record<string, (typeof identityFields)[number][0]>;

/**
 * Claims of an OIDC ID token that never become custom claims: the ones the ID
 * token itself consumes (openidconnect's `IdTokenClaims` fields), `sub`, and
 * the ones Convex drops because they change on every refresh and would bust
 * the query cache (`jti`, `nbf`, Clerk's `fva`).
 */
const oidcNonCustomClaims: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'jti',
  'nbf',
  'fva',
]);

/** A custom JWT's registered claims (biscuit's `RegisteredClaims`). */
const registeredClaims: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
]);

/**
 * The identity of a verified OIDC ID token. A standard claim of the wrong
 * type is an error, as it fails openidconnect's parse on Convex.
 */
export function oidcIdentity(claims: Record<string, unknown>): IdentityResult {
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string')
    return { success: false, error: 'the token needs "iss" and "sub" strings' };
  const fields = new Map<string, JSONValue>([
    ['issuer', iss],
    ['subject', sub],
  ]);
  for (const [claim, field] of Object.entries(standardClaims)) {
    const value = claims[claim];
    if (value === undefined || value === null) continue;
    const mapped = standardValue(claim, value);
    if (mapped === undefined)
      return {
        success: false,
        error: `the standard claim "${claim}" has the wrong type`,
      };
    if (mapped !== null) fields.set(field, mapped);
  }
  const custom = new Map<string, JSONValue>();
  for (const [claim, value] of Object.entries(claims))
    if (
      !oidcNonCustomClaims.has(claim) &&
      !Object.hasOwn(standardClaims, claim) &&
      isJsonValue(value)
    )
      custom.set(claim, value);
  return {
    success: true,
    identity: assemble(`${iss}|${sub}`, fields, custom),
  };
}

/** The identity of a verified custom JWT (or a development HS256 token). */
export function customJwtIdentity(
  claims: Record<string, unknown> & { iss: string; sub: string },
): UserIdentity {
  const custom = new Map<string, JSONValue>();
  for (const [claim, value] of Object.entries(claims))
    if (!registeredClaims.has(claim)) flatten(custom, claim, value);
  custom.delete('fva');
  const fields = new Map<string, JSONValue>([
    ['issuer', claims.iss],
    ['subject', claims.sub],
  ]);
  return assemble(`${claims.iss}|${claims.sub}`, fields, custom);
}

/**
 * The identity an admin impersonates (`Authenticate {tokenType: "Admin",
 * impersonating}`, Convex's `UserIdentityAttributes`): `tokenIdentifier` as
 * given, or made from `issuer` and `subject`; the known fields must have
 * their types; everything else is a custom claim, kept as given.
 */
export function impersonatedIdentity(attributes: unknown): IdentityResult {
  if (
    typeof attributes !== 'object' ||
    attributes === null ||
    Array.isArray(attributes)
  )
    return {
      success: false,
      error: 'The impersonated identity must be an object',
    };
  const given = new Map<string, unknown>(Object.entries(attributes));
  const fields = new Map<string, JSONValue>();
  for (const [field, kind] of [
    ['tokenIdentifier', 'string'] as const,
    ...identityFields,
  ]) {
    const value = given.get(field);
    if (value === undefined || value === null) continue;
    if (
      typeof value !== kind ||
      (typeof value !== 'string' && typeof value !== 'boolean')
    )
      return {
        success: false,
        error: `The impersonated identity's "${field}" must be a ${kind}`,
      };
    fields.set(field, value);
  }
  const givenIdentifier = fields.get('tokenIdentifier');
  const issuer = fields.get('issuer');
  const subject = fields.get('subject');
  const tokenIdentifier =
    typeof givenIdentifier === 'string'
      ? givenIdentifier
      : typeof issuer === 'string' && typeof subject === 'string'
        ? `${issuer}|${subject}`
        : null;
  if (tokenIdentifier === null)
    return {
      success: false,
      error: 'Either "tokenIdentifier" or "issuer" and "subject" must be set',
    };
  const custom = new Map<string, JSONValue>();
  for (const [claim, value] of given)
    if (!fieldNames.has(claim) && isJsonValue(value)) custom.set(claim, value);
  return {
    success: true,
    identity: assemble(tokenIdentifier, fields, custom),
  };
}

/**
 * `tokenIdentifier`, then the fields in
 * Convex's order, then the custom claims by key. A custom claim named like a
 * field fills it when the field is absent, as on Convex (a custom JWT's
 * `email`), and never replaces it. Built from entries so that a claim named
 * `__proto__` stays a claim.
 */
function assemble(
  tokenIdentifier: string,
  fields: ReadonlyMap<string, JSONValue>,
  custom: ReadonlyMap<string, JSONValue>,
): UserIdentity {
  const entries: [string, JSONValue][] = [];
  for (const [field] of identityFields) {
    const value = fields.get(field);
    if (value !== undefined) entries.push([field, value]);
  }
  const present = new Set(['tokenIdentifier', ...entries.map(([key]) => key)]);
  for (const claim of [...custom.keys()].sort())
    if (!present.has(claim)) entries.push([claim, custom.get(claim) ?? null]);
  return { tokenIdentifier, ...Object.fromEntries(entries) };
}

/**
 * A standard claim's identity value; null to leave it out (an address
 * without `formatted`); undefined when the claim has the wrong type.
 */
function standardValue(claim: string, value: unknown): JSONValue | undefined {
  switch (claim) {
    case 'email_verified':
    case 'phone_number_verified':
      if (typeof value === 'boolean') return value;
      // Some providers send these booleans as strings.
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'address': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return undefined;
      const formatted: unknown =
        'formatted' in value ? value.formatted : undefined;
      return typeof formatted === 'string' ? formatted : null;
    }
    case 'updated_at':
      return typeof value === 'number' && Number.isFinite(value)
        ? rfc3339(value)
        : undefined;
    default:
      return typeof value === 'string' ? value : undefined;
  }
}

/**
 * Seconds since the epoch as chrono's `to_rfc3339` writes a UTC time:
 * `2024-05-06T07:08:09+00:00`, a fraction only when there is one.
 */
function rfc3339(seconds: number): string {
  const iso = new Date(Math.round(seconds * 1000)).toISOString();
  const [whole = iso, fraction = '000Z'] = iso.split('.');
  const millis = fraction.slice(0, 3);
  return `${whole}${millis === '000' ? '' : `.${millis}`}+00:00`;
}

function flatten(
  into: Map<string, JSONValue>,
  key: string,
  value: unknown,
): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [nested, inner] of Object.entries(value))
      flatten(into, `${key}.${nested}`, inner);
  } else if (isJsonValue(value)) {
    into.set(key, value);
  }
}

function isJsonValue(value: unknown): value is JSONValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return Array.isArray(value)
        ? value.every(isJsonValue)
        : Object.values(value).every(isJsonValue);
    default:
      return false;
  }
}
