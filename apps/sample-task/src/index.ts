/** The sample's job module: usable with `batchyard-worker --module` as well as through main.js. */
export { expectedSettlement, generateTransactions, transactionLines } from './generate.js';
export { idRanges, PARTITIONED_DDL, partitionedJob } from './partitioned.js';
export { InjectedFailure, jobs, SETTLEMENT_DDL, settlementJob, type Transaction } from './settlement.js';
