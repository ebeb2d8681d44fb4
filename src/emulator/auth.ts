/**
 * Credentials the emulator accepts, and who a request is. A credential works
 * both as a bearer token and as an API key sent as HTTP Basic (key as user
 * name, empty password), as Pleo accepts both kinds.
 *
 * Secrets never leave this file: the rest of the emulator, its request log
 * and its logs see only an identity's label.
 */
import { ApiProblem } from './problem.js';

/** A credential and what it may see. */
export interface TokenSpec {
  token: string;
  /** The companies it is bound to; absent means organisation-wide. */
  companyIds?: readonly string[];
  /** What the request log calls it. Default `token-<n>`, n counting unlabelled ones. */
  label?: string;
}

/** Who a request is, as far as the routes need to know. */
export interface Identity {
  label: string;
  /** `undefined` for an organisation-wide credential. */
  companyIds: ReadonlySet<string> | undefined;
}

/** The label of a request whose credential was missing, wrong or revoked. */
export type AnonymousLabel = 'none' | 'invalid' | `revoked:${string}`;

export type AuthResult =
  | { ok: true; identity: Identity; scheme: 'bearer' | 'basic' }
  | { ok: false; label: AnonymousLabel; problem: ApiProblem };

export class TokenRegistry {
  readonly #active = new Map<string, Identity>();
  readonly #revoked = new Map<string, string>();
  #count = 0;

  add(spec: string | TokenSpec): Identity {
    const { token, companyIds, label } = typeof spec === 'string' ? { token: spec } : spec;
    if (token.length === 0 || /\s/.test(token)) {
      throw new TypeError('A token must be non-empty and contain no whitespace.');
    }
    const identity: Identity = {
      label: label ?? `token-${++this.#count}`,
      companyIds: companyIds === undefined ? undefined : new Set(companyIds),
    };
    this.#active.set(token, identity);
    this.#revoked.delete(token);
    return identity;
  }

  /** Refuses the credential from now on; true when it was active. */
  revoke(token: string): boolean {
    const identity = this.#active.get(token);
    if (!identity) return false;
    this.#active.delete(token);
    this.#revoked.set(token, identity.label);
    return true;
  }

  clear(): void {
    this.#active.clear();
    this.#revoked.clear();
    this.#count = 0;
  }

  authenticate(header: string | undefined): AuthResult {
    if (header === undefined || header.trim() === '') {
      return refuse('none', 'Missing credentials: send Authorization: Bearer <token>.');
    }
    const credential = parseAuthorization(header);
    if (!credential) {
      return refuse('invalid', 'Unsupported Authorization header: use Bearer or Basic.');
    }
    const identity = this.#active.get(credential.secret);
    if (identity) return { ok: true, identity, scheme: credential.scheme };

    const revokedLabel = this.#revoked.get(credential.secret);
    if (revokedLabel !== undefined) {
      return refuse(`revoked:${revokedLabel}`, 'The credential has been revoked.');
    }
    return refuse('invalid', 'Invalid credentials.');
  }
}

/** True when the identity may see the company's data. */
export function canSee(identity: Identity, companyId: string): boolean {
  return identity.companyIds === undefined || identity.companyIds.has(companyId);
}

function refuse(label: AnonymousLabel, message: string): AuthResult {
  const problem = new ApiProblem(401, 'UNAUTHORIZED', message, {
    'www-authenticate': 'Bearer realm="pleo-emulator"',
  });
  return { ok: false, label, problem };
}

function parseAuthorization(
  header: string,
): { scheme: 'bearer' | 'basic'; secret: string } | undefined {
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer' && value !== '') {
    return { scheme: 'bearer', secret: value };
  }
  if (scheme.toLowerCase() !== 'basic' || value === '') return undefined;

  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // An API key goes in the user name with an empty password; anything else
  // is not a credential the emulator knows how to check.
  if (colon <= 0 || colon !== decoded.length - 1) return undefined;
  return { scheme: 'basic', secret: decoded.slice(0, colon) };
}
