/**
 * Which desk takes an escalation: the desk whose id equals the bot's `escalateTo` / `teamId`,
 * else the default desk.
 */
import type { BridgeConfig, DeskConfig } from '../../config/bridge-config.js';
import { DeskNotFoundError } from '../errors.js';

/** Desk lookups over bridge.yaml. */
export class DeskDirectory {
  private readonly byId: Map<string, DeskConfig>;

  constructor(private readonly config: BridgeConfig) {
    this.byId = new Map(config.desks.map((desk) => [desk.id, desk]));
  }

  /** The desk for a team id, or undefined when neither it nor a default desk is configured. */
  find(teamId?: string): DeskConfig | undefined {
    const named = teamId !== undefined ? this.byId.get(teamId) : undefined;
    return named ?? (this.config.defaultDesk !== undefined ? this.byId.get(this.config.defaultDesk) : undefined);
  }

  /** Like `find`, but throws a `DeskNotFoundError` that names what is missing. */
  resolve(teamId?: string): DeskConfig {
    const desk = this.find(teamId);
    if (desk) return desk;
    const asked = teamId === undefined ? 'no escalateTo' : `escalateTo "${teamId}"`;
    throw new DeskNotFoundError(
      this.byId.size === 0
        ? `No desk is configured (${asked}): add desks to bridge.yaml`
        : `No desk for ${asked} and no defaultDesk in bridge.yaml`,
    );
  }

  /** Every configured desk. */
  all(): DeskConfig[] {
    return [...this.byId.values()];
  }
}
