export { type BridgeOptions, DEFAULT_PORT, type RunningBridge, startBridge } from './bridge.js';
export { defaultHome, homePaths } from './runtime/paths.js';
export { type RuntimeInfo, readRuntimeFile } from './runtime/runtime-file.js';
