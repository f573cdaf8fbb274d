/**
 * Holds a queue's fenced lease while the loop works on it: renews it in the background every
 * third of its time to live, so a delivery in flight (a slow post, a long Retry-After wait) is
 * never mistaken for a dead replica, and notices when the lease was lost (expired and taken over).
 */
import type { Lease, Store } from '../../store/store.js';
import type { LogContext, Logger } from '../logger.js';

/** A lease being kept alive. */
export class LeaseKeeper {
  private timer: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private lostLease = false;
  private renewedAt: number;

  constructor(
    private readonly store: Pick<Store, 'renewLease' | 'releaseLease'>,
    readonly lease: Lease,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    /** The queue's ids, on the keeper's log lines. */
    private readonly log: LogContext,
    private readonly now: () => number = Date.now,
  ) {
    this.renewedAt = now();
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * True once a renewal found that another replica holds the queue now, or once no renewal has
   * succeeded for a whole time to live (the store may have let another replica take it).
   */
  get lost(): boolean {
    return this.lostLease || this.now() - this.renewedAt > this.ttlMs;
  }

  /**
   * Stop renewing and give the lease up, completing the delivered entry `completed` in the same
   * step. A failure only delays the next holder (who delivers `completed` again). True when the
   * store said the queue has pending entries at the release.
   */
  async release(completed?: number): Promise<boolean> {
    clearInterval(this.timer);
    await this.renewing;
    if (this.lostLease) return false;
    return this.store.releaseLease(this.lease, completed).catch((error: unknown) => {
      this.logger.warn(
        { ...this.log, err: error, completed },
        completed === undefined
          ? 'could not release an outbox lease; it expires by itself'
          : 'could not record a delivered entry and release its lease; it is delivered again once the lease expires',
      );
      return false;
    });
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.lostLease) return;
    this.renewing = this.store
      .renewLease(this.lease, this.ttlMs)
      .then((held) => {
        if (held) this.renewedAt = this.now();
        else this.lostLease = true;
      })
      // A store that cannot answer now may answer at the next renewal; if the lease runs out
      // meanwhile, fencing refuses this replica's writes and the new holder continues.
      .catch((error: unknown) => this.logger.warn({ ...this.log, err: error }, 'could not renew an outbox lease'))
      .finally(() => {
        this.renewing = undefined;
      });
    await this.renewing;
  }
}
