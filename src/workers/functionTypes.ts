import type { HandlerModule, RemoteFunction } from "./HandlerModule.js";

/** Names `submit` accepts for handler module `H` (any string for an untyped pool). */
export type FunctionName<H extends HandlerModule> = keyof H["functions"] & string;

/** The arguments of function `N` of `H`; `unknown[]` when the pool is untyped. */
export type FunctionArgs<H extends HandlerModule, N extends FunctionName<H>> = H["functions"][N] extends (...args: infer A) => unknown
  ? never[] extends A
    ? unknown[]
    : A
  : unknown[];

/** What `submit` resolves to for function `N` of `H`. */
export type FunctionResult<H extends HandlerModule, N extends FunctionName<H>> = H["functions"][N] extends RemoteFunction
  ? Awaited<ReturnType<H["functions"][N]>>
  : unknown;
