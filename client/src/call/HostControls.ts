/**
 * What the host can do (protocol/src/host.ts): each a request over the call's signaling; the
 * server decides (a member who is not the host is refused `forbidden`). A refusal becomes a
 * notice through `onRefused`. No React here.
 */
import type { Ack, HostEventName } from '@meshtalk/protocol';
import type { Signaling } from '../signaling/SignalingClient';

export class HostControls {
  readonly #signaling: () => Signaling | null;
  readonly #onRefused: (message: string) => void;

  constructor(signaling: () => Signaling | null, onRefused: (message: string) => void) {
    this.#signaling = signaling;
    this.#onRefused = onRefused;
  }

  makeHost = (participantId: string) => this.#send('host:transfer', { participantId });
  mute = (participantId: string) => this.#send('host:mute', { participantId });
  remove = (participantId: string) => this.#send('host:remove', { participantId });
  setLocked = (locked: boolean) => this.#send('host:lock', { locked });
  admit = (knockId: string) => this.#send('host:admit', { knockId });
  deny = (knockId: string) => this.#send('host:deny', { knockId });
  endForEveryone = () => this.#send('host:end', {});

  async #send(event: HostEventName, payload: Record<string, unknown>): Promise<boolean> {
    const s = this.#signaling();
    if (!s) return false;
    // The typed request cannot follow a generic event name; the protocol types both ends.
    const ack = (await s.request(event as 'host:end', payload as never)) as Ack<unknown>;
    if (!ack.ok) this.#onRefused(ack.error.message);
    return ack.ok;
  }
}
