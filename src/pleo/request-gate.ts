/**
 * The hook through which many clients share one budget of requests: a gate
 * is passed before each attempt, and told when Pleo asked to slow down.
 */
export interface RequestGate {
  /**
   * Resolves with a release function once the request may be sent. `lane`
   * names who asks (a company), so a gate can be fair between lanes.
   */
  acquire(lane: string, signal?: AbortSignal): Promise<() => void>;
  /** Pleo answered 429: hold every lane back for `retryAfterMs`. */
  slowDown(retryAfterMs: number | undefined): void;
}
