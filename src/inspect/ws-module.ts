/**
 * The few parts of the `ws` package the relay uses. `ws` comes with
 * @statelyai/inspect and has no type declarations installed, so it is
 * loaded at run time and described here rather than typed as `any`.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RelaySocket {
  readonly readyState: number;
  send(data: string): void;
  terminate(): void;
  on(event: 'close', listener: () => void): void;
}

export interface SocketServer {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    done: (client: RelaySocket) => void,
  ): void;
  close(done?: () => void): void;
}

interface WsModule {
  WebSocketServer: new (options: { noServer: true; maxPayload: number }) => SocketServer;
  WebSocket: { OPEN: number };
}

function isWsModule(value: unknown): value is WsModule {
  const module = value as Partial<WsModule> | null;
  return typeof module?.WebSocketServer === 'function' && typeof module.WebSocket === 'function';
}

/** Loads `ws`; throws a sentence saying what is missing when it cannot. */
export function loadWs(): WsModule {
  const loaded: unknown = createRequire(import.meta.url)('ws');
  if (!isWsModule(loaded)) {
    throw new Error('The inspector needs the `ws` package (a dependency of @statelyai/inspect).');
  }
  return loaded;
}
