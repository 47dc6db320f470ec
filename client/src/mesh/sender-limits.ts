/**
 * Caps on what one RTP sender sends (bitrate, frame rate), applied to every encoding. A limit
 * left out is lifted. Failures are logged and ignored: a cap is an optimisation, not a contract.
 */
export async function applySenderLimits(sender: RTCRtpSender, limits: RTCRtpEncodingParameters): Promise<void> {
  try {
    const params = sender.getParameters();
    if (!params.encodings?.length) return;
    params.encodings = params.encodings.map((e) => {
      const next: RTCRtpEncodingParameters = { ...e };
      if (limits.maxBitrate === undefined) delete next.maxBitrate;
      else next.maxBitrate = limits.maxBitrate;
      if (limits.maxFramerate !== undefined) next.maxFramerate = limits.maxFramerate;
      return next;
    });
    await sender.setParameters(params);
  } catch (err) {
    console.warn('meshtalk: could not set sender limits', err);
  }
}

/**
 * Starts or stops an RTP sender without renegotiation (every encoding's `active`), keeping its
 * track: how a muted microphone stops sending. False when the browser refused.
 */
export async function setSenderActive(sender: RTCRtpSender, active: boolean): Promise<boolean> {
  try {
    const params = sender.getParameters();
    if (!params.encodings?.length) return false;
    if (params.encodings.every((e) => (e.active ?? true) === active)) return true;
    params.encodings = params.encodings.map((e) => ({ ...e, active }));
    await sender.setParameters(params);
    return true;
  } catch (err) {
    console.warn('meshtalk: could not set sender active', err);
    return false;
  }
}
