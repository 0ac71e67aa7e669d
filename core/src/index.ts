// The pure domain of medstock: no I/O, no framework. Each area has its own index.
export * from './gs1/index.ts';
export * from './units/index.ts';
export * from './catalogue/index.ts';
export * from './alerts/index.ts';
export * from './engine/index.ts';
