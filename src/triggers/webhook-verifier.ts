/**
 * Standard Webhooks signature checks over the exact bytes received.
 *
 * `standardwebhooks` 1.3 computes the signature, but its own `verify()`
 * hard-codes a 5-minute window measured with `Date.now()`. To honour the
 * `toleranceSeconds` option and an injected clock, the window is checked
 * here, and the library's `sign()` produces the one expected signature that
 * each offered `v1,` entry is compared with in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ConfigError } from '../errors.js';

/** The three signing headers as they arrived (absent ones undefined). */
export interface SignedHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type VerifyFailure =
  | 'missing signature headers'
  | 'malformed webhook-id'
  | 'malformed webhook-timestamp'
  | 'timestamp too old'
  | 'timestamp too far in the future'
  | 'no matching signature';

export type Verdict =
  | { ok: true; id: string; timestampSeconds: number }
  | { ok: false; reason: VerifyFailure };

/** Keys shorter than this are refused: the scheme asks for 24 to 64 bytes. */
const MIN_KEY_BYTES = 16;
/** Ids are remembered for dedupe; an absurdly long one is not a real id. */
const MAX_ID_LENGTH = 256;
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * Verifies deliveries signed with one subscription secret.
 *
 * @example
 * const verifier = new SignatureVerifier(process.env.PLEO_WEBHOOK_SECRET!);
 * const verdict = verifier.verify({ id, timestamp, signature }, rawBody);
 * if (!verdict.ok) logger.warn({ reason: verdict.reason }, 'webhook refused');
 */
export class SignatureVerifier {
  readonly #webhook: Webhook;
  readonly #toleranceSeconds: number;
  readonly #now: () => number;

  constructor(secret: string, options: { toleranceSeconds?: number; now?: () => number } = {}) {
    this.#webhook = signerFor(secret);
    this.#toleranceSeconds = options.toleranceSeconds ?? 300;
    this.#now = options.now ?? Date.now;
  }

  verify(headers: SignedHeaders, rawBody: Uint8Array): Verdict {
    const { id, timestamp, signature } = headers;
    if (!id || !timestamp || !signature) return refuse('missing signature headers');
    if (id.length > MAX_ID_LENGTH) return refuse('malformed webhook-id');
    if (!/^\d{1,12}$/.test(timestamp)) return refuse('malformed webhook-timestamp');

    const timestampSeconds = Number(timestamp);
    const nowSeconds = Math.floor(this.#now() / 1000);
    if (nowSeconds - timestampSeconds > this.#toleranceSeconds) return refuse('timestamp too old');
    if (timestampSeconds - nowSeconds > this.#toleranceSeconds) {
      return refuse('timestamp too far in the future');
    }

    const expected = Buffer.from(
      this.#webhook.sign(id, new Date(timestampSeconds * 1000), rawBody),
    );
    // The header is a space-separated list (key rotation sends old and new);
    // one match is enough. Entries of other versions simply never match.
    const offered = signature.split(' ').filter((entry) => entry.length > 0);
    const matches = offered.some((entry) => sameBytes(Buffer.from(entry), expected));
    if (!matches) return refuse('no matching signature');
    return { ok: true, id, timestampSeconds };
  }
}

function refuse(reason: VerifyFailure): Verdict {
  return { ok: false, reason };
}

/** Constant-time for equal lengths; a length differs only for a wrong entry anyway. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Builds the library's signer, refusing a bad secret without quoting it. */
function signerFor(secret: unknown): Webhook {
  if (typeof secret !== 'string' || !SECRET_FORMAT.test(secret)) {
    throw new ConfigError(
      "secret must be a webhook signing secret: 'whsec_' followed by a base64 key.",
    );
  }
  const keyBytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  if (keyBytes < MIN_KEY_BYTES) {
    throw new ConfigError(
      `secret is too short: its key has ${keyBytes} bytes, at least ${MIN_KEY_BYTES} are needed.`,
    );
  }
  try {
    return new Webhook(secret);
  } catch (error: unknown) {
    // The library's message does not quote the secret, but keep ours uniform.
    throw new ConfigError("secret is not a valid 'whsec_' base64 key.", { cause: error });
  }
}
