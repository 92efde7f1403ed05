/**
 * Subscription fan-out without repeated work: when many clients follow the same events with the
 * same operation, each event is executed once per (document, variables) and the result is shared
 * by every subscriber, instead of once per subscriber.
 *
 * Why this is safe here: below the subscription roots (`SheetEvent`, `Job`), no resolver depends
 * on who is asking (there is one token for the whole server and no per-client scoping), so the
 * result for an event depends only on the event, the document and the variables. The bus hands
 * the same event object to every listener, which is what the cache is keyed on; entries go away
 * with the event objects.
 */
import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from "graphql";
import type { Plugin } from "graphql-yoga";

type ResultCache = WeakMap<
  object,
  WeakMap<DocumentNode, Map<string, Promise<ExecutionResult> | ExecutionResult>>
>;

/** Identifies what, besides the document, decides an operation's result; fixed per subscription. */
function operationKey(args: ExecutionArgs): string {
  return `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}`;
}

function sharedExecute(
  cache: ResultCache,
  args: ExecutionArgs,
  key: string,
  payload: unknown,
): Promise<ExecutionResult> | ExecutionResult {
  if (payload === null || typeof payload !== "object")
    return execute({ ...args, rootValue: payload });
  let byDocument = cache.get(payload);
  if (!byDocument) {
    byDocument = new WeakMap();
    cache.set(payload, byDocument);
  }
  let byVariables = byDocument.get(args.document);
  if (!byVariables) {
    byVariables = new Map();
    byDocument.set(args.document, byVariables);
  }
  let result = byVariables.get(key);
  if (result === undefined) {
    result = execute({ ...args, rootValue: payload });
    byVariables.set(key, result);
  }
  return result;
}

/** Maps each source event to its (shared) result; `return()` reaches the source at once. */
function mapEvents(
  source: AsyncIterator<unknown>,
  map: (payload: unknown) => Promise<ExecutionResult> | ExecutionResult,
): AsyncIterableIterator<ExecutionResult> {
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const step = await source.next();
      if (step.done) return { value: undefined, done: true };
      return { value: await map(step.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export function useSharedSubscriptionResults(): Plugin {
  const cache: ResultCache = new WeakMap();
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const key = operationKey(args);
        return mapEvents(source[Symbol.asyncIterator](), (payload) =>
          sharedExecute(cache, args, key, payload),
        );
      });
    },
  };
}
