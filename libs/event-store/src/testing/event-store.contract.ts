import {
  idempotencyCases,
  multiStreamAppendCases,
  optimisticConcurrencyCases,
} from './append.contract-cases';
import { ContractContext, type ContractFixture, type ContractOptions } from './contract-context';
import { chainCases, readAllCases, readStreamCases } from './read.contract-cases';
import { restartCases, subscriptionCases } from './subscription.contract-cases';

export type { ContractFixture, ContractOptions };

/**
 * The behaviour every EventStore adapter shares, as a jest suite. `factory` is called before each case and
 * gives a store (plus `reopen` for durable adapters); cases write only to streams and event types under a
 * namespace of their own, so a factory may hand out one shared server. Cases an adapter cannot run (restart
 * without durability, an empty store on a shared server) are registered as skipped, never as passed.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<ContractFixture>,
  options: ContractOptions,
): void {
  describe(`${name} meets the event store contract`, () => {
    const ctx = new ContractContext(factory, options);
    beforeEach(() => ctx.setUp());
    afterEach(() => ctx.tearDown());

    optimisticConcurrencyCases(ctx);
    idempotencyCases(ctx);
    multiStreamAppendCases(ctx);
    readStreamCases(ctx);
    readAllCases(ctx);
    chainCases(ctx);
    subscriptionCases(ctx);
    restartCases(ctx);
  });
}
