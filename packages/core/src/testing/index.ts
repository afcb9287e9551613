export { ConformanceError, assert, assertEqual, assertRejects, sleep, waitFor } from './assert.ts';
export { runConformance, runCases } from './runner.ts';
export type { ConformanceCase, ConformanceRunner, RunConformanceOptions } from './runner.ts';
export { logStoreConformance, entry, entryRange } from './log-store-suite.ts';
export type { LogStoreConformanceOptions, OpenLogStore } from './log-store-suite.ts';
export { transportConformance } from './transport-suite.ts';
export type { MakeTransportCluster, TransportCluster, TransportConformanceOptions } from './transport-suite.ts';
export { sampleMessages, sampleEntries, sampleConfState, sampleSnapshotMeta } from './messages.ts';
export { createRawNodeWithMutants, mutants, type Mutant } from './mutants.ts';
