import { Repo } from "../wasm/dealflow_wasm.js";

/** Frames from wasm are copies in ordinary (never shared) memory. */
function frameBytes(frame: Uint8Array): Uint8Array<ArrayBuffer> {
  return frame as Uint8Array<ArrayBuffer>;
}

/** Where the socket to the relay stands. */
export type ConnectionState = "offline" | "connecting" | "connected";

/** What the connection needs from its owner. */
export interface ConnectionHandlers {
  /** The socket opened: return the `join` frame. */
  opened(): Uint8Array;
  /** A binary frame arrived. */
  frame(bytes: Uint8Array): void;
  /** The socket closed or failed. */
  closed(): void;
  /** The state changed. */
  state(state: ConnectionState): void;
}

/**
 * One WebSocket to the relay that reconnects with backoff (0.5 s doubling to 30 s, from core,
 * with ±25 % jitter) until {@link RelayConnection.stop} is called. The token travels in the
 * subprotocol pair `["dealflow", "dealflow.token.<jwt>"]`, never in the URL. Going offline
 * (the window's `offline` event) closes the socket at once; coming back online reconnects
 * without waiting for the backoff.
 */
export class RelayConnection {
  private socket: WebSocket | undefined;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private current: ConnectionState = "offline";
  private readonly onOffline = (): void => this.drop();
  private readonly onOnline = (): void => this.retryNow();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    globalThis.addEventListener?.("offline", this.onOffline);
    globalThis.addEventListener?.("online", this.onOnline);
    this.open();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Sends a frame if the socket is open (frames for a closed socket are regenerated later). */
  send(frame: Uint8Array): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(frameBytes(frame));
  }

  /** Closes the socket and reconnects after the backoff (e.g. after a refused frame). */
  drop(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.detach(socket);
    socket.close();
    this.afterClose();
  }

  /** Closes for good. */
  stop(leave?: Uint8Array): void {
    this.stopped = true;
    globalThis.removeEventListener?.("offline", this.onOffline);
    globalThis.removeEventListener?.("online", this.onOnline);
    if (this.timer !== undefined) clearTimeout(this.timer);
    const socket = this.socket;
    if (socket !== undefined) {
      if (leave !== undefined && socket.readyState === WebSocket.OPEN)
        socket.send(frameBytes(leave));
      this.detach(socket);
      socket.close();
      this.handlers.closed();
    }
    this.setState("offline");
  }

  private open(): void {
    if (this.stopped) return;
    if (globalThis.navigator?.onLine === false) {
      this.setState("offline");
      return;
    }
    this.setState("connecting");
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, [
        "dealflow",
        `dealflow.token.${this.token}`,
      ]);
    } catch {
      this.afterClose();
      return;
    }
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      this.setState("connected");
      socket.send(frameBytes(this.handlers.opened()));
    };
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (event.data instanceof ArrayBuffer) {
        this.failures = 0;
        this.handlers.frame(new Uint8Array(event.data));
      }
    };
    socket.onclose = () => {
      this.detach(socket);
      this.afterClose();
    };
  }

  private detach(socket: WebSocket): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    if (this.socket === socket) this.socket = undefined;
  }

  private afterClose(): void {
    this.handlers.closed();
    this.setState("offline");
    if (this.stopped) return;
    const delay =
      Repo.reconnectDelayMs(this.failures) * (0.75 + Math.random() * 0.5);
    this.failures += 1;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open();
    }, delay);
  }

  private retryNow(): void {
    if (this.stopped || this.socket !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.failures = 0;
    this.open();
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.handlers.state(state);
  }
}
