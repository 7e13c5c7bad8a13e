/**
 * Every request handler runs inside `runSafe`: a thrown error or a rejected
 * promise is logged and answered with the handler's empty result, so a bad
 * request or an unknown document never takes the server down. A cancelled
 * request is answered with `RequestCancelled`, as the protocol asks.
 * (After VS Code's JSON language server, `utils/runner.ts`.)
 */
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { CancellationToken, RemoteConsole } from 'vscode-languageserver/node';

export async function runSafe<T>(
  console: RemoteConsole,
  what: string,
  token: CancellationToken | undefined,
  empty: T,
  handler: () => T | Promise<T>,
): Promise<T | ResponseError<void>> {
  if (token?.isCancellationRequested) return cancelled();
  try {
    const result = await handler();
    if (token?.isCancellationRequested) return cancelled();
    return result;
  } catch (error) {
    console.error(`${what} failed: ${describeError(error)}`);
    return empty;
  }
}

/** For notifications: there is no answer, only containment. */
export function runSafeNotification(console: RemoteConsole, what: string, handler: () => void | Promise<void>): void {
  try {
    const pending = handler();
    if (pending) pending.catch((error: unknown) => console.error(`${what} failed: ${describeError(error)}`));
  } catch (error) {
    console.error(`${what} failed: ${describeError(error)}`);
  }
}

/** The message and the top of the stack; never the request parameters, which may hold file content. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const frames = (error.stack ?? '')
      .split('\n')
      .slice(1, 4)
      .map((l) => l.trim());
    return [error.message, ...frames].join(' | ');
  }
  return String(error);
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}
