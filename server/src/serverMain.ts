/**
 * Entry point of the language server process. The transport is chosen from
 * the command line by vscode-languageserver: `--stdio`, `--node-ipc` or
 * `--socket=<port>`.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './lsp/server';
import { describeError } from './lsp/runSafe';
import { resolveAssetDir } from './assets';
import { setFlagsFromString } from 'node:v8';
import { applyHeapPolicy } from './lsp/heapPolicy';

const connection = createConnection(ProposedFeatures.all);

// stdout may be the transport: anything printed by a library must go to the client's log instead.
console.log = connection.console.log.bind(connection.console);
console.info = connection.console.info.bind(connection.console);
console.warn = connection.console.warn.bind(connection.console);
console.error = connection.console.error.bind(connection.console);
console.debug = connection.console.log.bind(connection.console);

// The server must outlive a bug in one handler or a failing background task.
process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${describeError(error)}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${describeError(reason)}`));

connection.console.log(applyHeapPolicy(process.execArgv, setFlagsFromString).message);

const schemas = resolveAssetDir('schemas');
connection.console.log(schemas === undefined ? 'No schemas folder found next to the server' : `Schemas from ${schemas}`);

startServer(connection);
