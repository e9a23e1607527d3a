export * from './decode.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './primitives.ts';
export * from './pseudonymise.ts';
