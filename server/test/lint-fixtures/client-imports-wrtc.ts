// Linted as if it were in client/src or server/src: Node's libwebrtc belongs to load/ alone.
import wrtc from '@roamhq/wrtc';

export const { RTCPeerConnection } = wrtc;
