export * from './analyse.js';
export * from './early-stopping.js';
export * from './fit.js';
export * from './notes.js';
export * from './pairs.js';
export * from './series.js';
