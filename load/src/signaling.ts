/**
 * The client's signaling connection as a headless participant opens it: the same
 * SignalingClient (Socket.IO, the protocol's schemas, the Origin a page would send), with one
 * difference of platform made good. A browser hands each WebSocket message to the page as a
 * task of its own, so the promise continuations of one message (a join's ack applying the
 * roster) run before the next message is seen. Node's ws reads every message that arrived
 * together in one go, so a signal could reach the session before the join ack it follows had
 * been applied, and be dropped as coming from a stranger. Each inbound event is therefore
 * handed on in a task of its own, in order, as in a browser.
 */
import { connectSignaling, type Signaling } from '../../client/src/signaling/SignalingClient';

export function nodeSignaling(server: string, origin: string): Signaling {
  const s = connectSignaling(server, { origin });
  return {
    get connected() {
      return s.connected;
    },
    request: (event, payload, timeoutMs) => s.request(event, payload, timeoutMs),
    send: (event, payload) => s.send(event, payload),
    on: (event, handler) => s.on(event, (payload) => void setImmediate(() => handler(payload))),
    onConnection: (handler) => s.onConnection(handler),
    close: () => s.close(),
  };
}
