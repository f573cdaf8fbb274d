/** The systems under test of a run, in table order, and what each stands for. Pure. */

/** The bridge on each store. */
export const bridgeSystems = ['bridge-memory', 'bridge-sqlite', 'bridge-redis'] as const;
/** The baselines: the practical limit and what people write by hand. */
export const baselineSystems = ['bare', 'bolt-minimal'] as const;

/** One bridge configuration. */
export type BridgeSystem = (typeof bridgeSystems)[number];
/** One system under test. */
export type SystemName = BridgeSystem | (typeof baselineSystems)[number];

/** Every system, bridges first. */
export const allSystems: readonly SystemName[] = [...bridgeSystems, ...baselineSystems];

/** The store of each bridge configuration, as the report names it. */
export const storeOf: Record<BridgeSystem, 'memory' | 'SQLite' | 'Redis'> = {
  'bridge-memory': 'memory',
  'bridge-sqlite': 'SQLite',
  'bridge-redis': 'Redis',
};

/** Whether `system` is one of the bridge configurations. */
export function isBridge(system: string): system is BridgeSystem {
  return (bridgeSystems as readonly string[]).includes(system);
}
