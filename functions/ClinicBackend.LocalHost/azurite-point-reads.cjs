// Loaded into Azurite (node --require) by azurite-watchdog.mjs. Azurite finds a table row by
// { PartitionKey, RowKey }: LokiJS narrows by the first key's index only, then compares the RowKey of every
// row in the partition, so each point read, update or delete costs as much as the partition is large.
// Table Storage serves these from its index. Here the RowKey index narrows first, to the few rows of that
// key (one per partition that has it), and the PartitionKey picks the one. Both compare exactly, as before.
'use strict';
// The LokiJS that Azurite (the main script) loads, else the one beside this file.
const Loki = require(require.resolve('lokijs', { paths: [process.argv[1] || __dirname, __dirname] }));

const findOne = Loki.Collection.prototype.findOne;
if (typeof findOne !== 'function') {
  throw new Error('azurite-point-reads: LokiJS has no Collection.findOne to wrap');
}
Loki.Collection.prototype.findOne = function (query) {
  if (query && this.binaryIndices && this.binaryIndices.RowKey
      && typeof query.RowKey === 'string' && typeof query.PartitionKey === 'string' && Object.keys(query).length === 2) {
    return findOne.call(this, { RowKey: query.RowKey, PartitionKey: query.PartitionKey });
  }
  return findOne.call(this, query);
};
