/** The simulator's public API (README.md beside this file). */
export type { Label, LabelSubjectKind } from './inject/types.ts';
export { DEFAULTS, type ResolvedOptions, resolveOptions, type SimulateOptions } from './options.ts';
export {
  type Clock,
  type Publish,
  type PublishOptions,
  type PublishStats,
  publishAtRate,
  systemClock,
} from './publish.ts';
export { createSimulation, type Simulation, serialize, simulate, simulationLabels } from './simulate.ts';
